import { nodeReadableToWeb } from '@/lib/server/storage/nodeReadableToWeb';
import { z } from 'zod';
import { isWellFormedId } from '@/lib/server/access';
import { getPrisma } from '@/lib/server/db/client';
import { toAssetSummary } from '@/lib/server/projects/assets';
import { parseRange } from '@/lib/server/projects/assetDownload';
import { ServiceError } from '@/lib/server/projects/serviceError';
import { validate } from '@/lib/server/projects/validate';
import { getStorage } from '@/lib/server/storage/defaultStorage';
import { createComment, listTrackComments } from './comments';
import { deliveriesOf } from './deliveries';
import { resolveShareToken } from './guestSession';
import { guestNameSchema } from './messageBody';

/** What a guest sees: the track, its mixes and masters (never the references someone else owns), and whether downloads are open. */
export async function getGuestReview(token: string) {
  const access = await resolveShareToken(token);
  const track = await getPrisma().track.findUniqueOrThrow({
    where: { id: access.trackId },
    include: { assets: { where: { kind: { in: ['mix', 'master'] } }, orderBy: [{ kind: 'asc' }, { version: 'desc' }] }, project: { select: { name: true } } },
  });
  return {
    projectId: track.projectId,
    projectName: track.project.name,
    trackId: track.id,
    title: track.title,
    artist: track.artist,
    allowDownload: access.allowDownload,
    expiresAt: access.expiresAt?.toISOString() ?? null,
    versions: track.assets.map(toAssetSummary),
  };
}

export async function listGuestComments(token: string, query: unknown) {
  const access = await resolveShareToken(token);
  return listTrackComments(access.trackId, query);
}

const guestCommentSchema = z.object({ guestName: guestNameSchema }).passthrough();

export async function createGuestComment(token: string, input: unknown) {
  const access = await resolveShareToken(token);
  const { guestName, ...rest } = validate(guestCommentSchema, input);
  return createComment({ kind: 'guest', name: guestName, shareLinkId: access.shareLinkId }, access.projectId, access.trackId, rest);
}

async function guestAsset(token: string, assetId: string) {
  const access = await resolveShareToken(token);
  const asset = isWellFormedId(assetId)
    ? await getPrisma().asset.findFirst({ where: { id: assetId, trackId: access.trackId, kind: { in: ['mix', 'master'] } } })
    : null;
  if (!asset) throw new ServiceError(404, 'not_found', 'File not found');
  return { access, asset };
}

/** Streams a version for listening (Range for seeking); never as an attachment, downloads are a separate permission. */
export async function guestAssetFileResponse(token: string, assetId: string, req: Request): Promise<Response> {
  const { asset } = await guestAsset(token, assetId);
  const storage = getStorage();
  const info = await storage.stat(asset.storageKey);
  if (!info) throw new ServiceError(404, 'not_found', 'File not found');
  const size = info.sizeBytes;
  const headers = new Headers({
    'Content-Type': asset.container === 'flac' ? 'audio/flac' : asset.container === 'mp3' ? 'audio/mpeg' : 'audio/wav',
    'Accept-Ranges': 'bytes',
    'Content-Disposition': 'inline',
    'Cache-Control': 'private, no-store',
    'X-Content-Type-Options': 'nosniff',
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
  // Not Readable.toWeb: <audio> aborts Range requests on every seek, and Node 20's toWeb then throws on a closed controller.
  const body = nodeReadableToWeb(await storage.createReadStream(asset.storageKey, range ?? undefined));
  if (range) {
    headers.set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
    headers.set('Content-Length', String(range.end - range.start + 1));
    return new Response(body, { status: 206, headers });
  }
  headers.set('Content-Length', String(size));
  return new Response(body, { status: 200, headers });
}

/** Delivery files of an approved master, only when the owner allowed downloads on this link. */
export async function listGuestDeliveries(token: string, assetId: string) {
  const { access } = await guestAsset(token, assetId);
  if (!access.allowDownload) throw new ServiceError(403, 'download_not_allowed', 'Downloads are not enabled for this review link');
  return deliveriesOf(assetId, `/downloads/review/${token}/exports`);
}
