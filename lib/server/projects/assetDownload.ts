import { getStorage } from '@/lib/server/storage/defaultStorage';
import { nodeReadableToWeb } from '@/lib/server/storage/nodeReadableToWeb';
import { getAssetForDownload } from './assets';
import { ServiceError } from './serviceError';

const CONTENT_TYPES: Record<string, string> = {
  wav: 'audio/wav',
  rf64: 'audio/wav',
  bw64: 'audio/wav',
  aiff: 'audio/aiff',
  aifc: 'audio/aiff',
  flac: 'audio/flac',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  mp4: 'audio/mp4',
};

/** Parses a single `bytes=` range (the only kind <audio> sends); multi-range requests get the whole file. */
export function parseRange(header: string | null, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, startText, endText] = match;
  if (startText === '' && endText === '') return null;
  let start: number;
  let end: number;
  if (startText === '') {
    const suffix = Number(endText);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(startText);
    end = endText === '' ? size - 1 : Math.min(Number(endText), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** Serves an asset's original with Range support so <audio> can seek; membership is checked before any byte. */
export async function assetFileResponse(userId: string, assetId: string, req: Request): Promise<Response> {
  const asset = await getAssetForDownload(userId, assetId);
  const storage = getStorage();
  const info = await storage.stat(asset.storageKey);
  if (!info) throw new ServiceError(404, 'not_found', 'File not found');
  const size = info.sizeBytes;
  const download = new URL(req.url).searchParams.get('download') === '1';
  const headers = new Headers({
    'Content-Type': CONTENT_TYPES[asset.container ?? ''] ?? 'application/octet-stream',
    'Accept-Ranges': 'bytes',
    'Content-Disposition': contentDisposition(download ? 'attachment' : 'inline', asset.originalName),
    'Cache-Control': 'private, max-age=0, must-revalidate',
    'X-Content-Type-Options': 'nosniff',
    ETag: `"${assetId}"`,
  });
  const range = parseRange(req.headers.get('range'), size);
  if (range === 'unsatisfiable') {
    headers.set('Content-Range', `bytes */${size}`);
    return new Response(null, { status: 416, headers });
  }
  if (req.method === 'HEAD') {
    headers.set('Content-Length', String(size));
    return new Response(null, { status: 200, headers });
  }
  const stream = await storage.createReadStream(asset.storageKey, range ?? undefined);
  const body = nodeReadableToWeb(stream);
  if (range) {
    headers.set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
    headers.set('Content-Length', String(range.end - range.start + 1));
    return new Response(body, { status: 206, headers });
  }
  headers.set('Content-Length', String(size));
  return new Response(body, { status: 200, headers });
}
