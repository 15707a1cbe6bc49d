import type { IncomingMessage, ServerResponse } from 'node:http';
import { isWellFormedId, requireAssetAction } from '@/lib/server/access';
import { getSessionUserFromCookieHeader } from '@/lib/server/auth/sessionUser';
import { getPrisma } from '@/lib/server/db/client';
import { ServiceError } from '@/lib/server/projects/serviceError';
import { getStorage } from '@/lib/server/storage/defaultStorage';
import { activeApproval } from './approvals';
import { DELIVERY_FORMATS, isDeliveryFormat } from './deliveryFormats';
import { resolveShareToken } from './guestSession';
import { broadcastToTrack } from './trackBroadcast';

export const DELIVERY_DOWNLOAD_PREFIX = '/downloads/';
const MEMBER_PATH = /^\/downloads\/exports\/([^/]+)$/;
const GUEST_PATH = /^\/downloads\/review\/([^/]+)\/exports\/([^/]+)$/;

function safeFileName(s: string): string {
  return s.replace(/[^\p{L}\p{N} .,_()-]/gu, '_').trim().slice(0, 120) || 'master';
}

/**
 * Serves rendered delivery files from the custom server rather than a route handler: Next strips Content-Length
 * from route responses, and a download progress bar needs it. Access: a member of the project, or a guest link
 * that allows downloads; the version must still be approved. The first complete download makes the approval final.
 */
export async function handleDeliveryDownload(req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new ServiceError(405, 'method', 'Method not allowed');
    const pathname = (req.url ?? '/').split('?')[0];
    const member = MEMBER_PATH.exec(pathname);
    const guest = GUEST_PATH.exec(pathname);
    const exportId = member?.[1] ?? guest?.[2];
    if (!exportId || !isWellFormedId(exportId)) throw new ServiceError(404, 'not_found', 'File not found');
    const row = await getPrisma().export.findUnique({ where: { id: exportId }, include: { asset: { select: { id: true, trackId: true, track: { select: { title: true, artist: true, projectId: true } }, version: true } } } });
    if (!row) throw new ServiceError(404, 'not_found', 'File not found');
    if (guest) {
      const access = await resolveShareToken(guest[1]);
      if (access.trackId !== row.asset.trackId) throw new ServiceError(404, 'not_found', 'File not found');
      if (!access.allowDownload) throw new ServiceError(403, 'download_not_allowed', 'Downloads are not enabled for this review link');
    } else {
      const user = await getSessionUserFromCookieHeader(req.headers.cookie);
      if (!user) throw new ServiceError(401, 'unauthorized', 'Sign in first');
      try {
        await requireAssetAction(user.id, row.assetId, 'project.view');
      } catch (error) {
        if (error instanceof ServiceError && error.status === 404) throw new ServiceError(404, 'not_found', 'File not found');
        throw error;
      }
    }
    if (!(await activeApproval(row.assetId))) throw new ServiceError(409, 'not_approved', 'This version is no longer approved');
    if (row.status !== 'completed' || !row.storageKey || !isDeliveryFormat(row.format)) throw new ServiceError(409, 'not_ready', 'This file is not rendered yet');
    const storage = getStorage();
    const info = await storage.stat(row.storageKey);
    if (!info) throw new ServiceError(404, 'not_found', 'File not found');
    const format = DELIVERY_FORMATS[row.format];
    const track = row.asset.track;
    const name = safeFileName(`${track.artist ? `${track.artist} - ` : ''}${track.title} (master v${row.asset.version}, ${format.label.replace('/', '-')}).${format.extension}`);
    res.writeHead(200, {
      'Content-Type': format.contentType,
      'Content-Length': String(info.sizeBytes),
      'Content-Disposition': `attachment; filename="${name.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(name)}`,
      'Cache-Control': 'private, no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = await storage.createReadStream(row.storageKey);
    res.on('finish', () => {
      if (row.downloadedAt) return;
      void getPrisma()
        .export.updateMany({ where: { id: row.id, downloadedAt: null }, data: { downloadedAt: new Date() } })
        .then(async ({ count }) => {
          // The approval just became final: tell open pages so the revoke button disappears.
          if (count) await broadcastToTrack(track.projectId, row.asset.trackId, 'export:changed', { projectId: track.projectId, trackId: row.asset.trackId, assetId: row.assetId }, { guests: false });
        })
        .catch((error) => console.error('[downloads] could not record download', error));
    });
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  } catch (error) {
    const status = error instanceof ServiceError ? error.status : 500;
    const message = error instanceof ServiceError ? error.message : 'Internal error';
    if (!(error instanceof ServiceError)) console.error('[downloads]', error);
    if (!res.headersSent) res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify({ error: message }));
  }
}
