import { z } from 'zod';
import type { ShareLink } from '@/lib/generated/prisma/client';
import { isWellFormedId, requireProjectAction, requireTrackAction } from '@/lib/server/access';
import { getPrisma } from '@/lib/server/db/client';
import { ServiceError } from '@/lib/server/projects/serviceError';
import { validate } from '@/lib/server/projects/validate';
import { disconnectRoom } from '@/lib/server/realtime/emitter';
import { hashShareToken, newShareToken } from './guestSession';
import { shareLinkRoom } from './reviewEvents';

const createSchema = z.object({
  label: z.string().trim().max(100, 'Labels are limited to 100 characters').optional(),
  allowDownload: z.boolean().optional(),
  /** Hours until the link stops working; omitted means until revoked. */
  expiresInHours: z.number().positive('Expiry must be in the future').max(24 * 365, 'Expiry must be within a year').optional(),
});

export interface ShareLinkDto {
  id: string;
  trackId: string | null;
  label: string | null;
  allowDownload: boolean;
  expiresAt: string | null;
  revokedAt: string | null;
  createdAt: string;
  active: boolean;
}

function toDto(l: ShareLink): ShareLinkDto {
  return {
    id: l.id,
    trackId: l.trackId,
    label: l.label,
    allowDownload: l.allowDownload,
    expiresAt: l.expiresAt?.toISOString() ?? null,
    revokedAt: l.revokedAt?.toISOString() ?? null,
    createdAt: l.createdAt.toISOString(),
    active: !l.revokedAt && (!l.expiresAt || l.expiresAt.getTime() > Date.now()),
  };
}

/** The token is returned once, here; only its hash is stored, so a lost link is replaced, never recovered. */
export async function createShareLink(userId: string, trackId: string, input: unknown): Promise<ShareLinkDto & { token: string; path: string }> {
  const { projectId } = await requireTrackAction(userId, trackId, 'share.manage');
  const data = validate(createSchema, input ?? {});
  const token = newShareToken();
  const link = await getPrisma().shareLink.create({
    data: {
      projectId,
      trackId,
      tokenHash: hashShareToken(token),
      label: data.label || null,
      allowDownload: data.allowDownload ?? false,
      expiresAt: data.expiresInHours ? new Date(Date.now() + data.expiresInHours * 3600_000) : null,
      createdById: userId,
    },
  });
  return { ...toDto(link), token, path: `/review/${token}` };
}

export async function listShareLinks(userId: string, trackId: string): Promise<ShareLinkDto[]> {
  await requireTrackAction(userId, trackId, 'share.manage');
  const links = await getPrisma().shareLink.findMany({ where: { trackId }, orderBy: { createdAt: 'desc' } });
  return links.map(toDto);
}

/** Revoking closes the guests' open sockets too, on every web process: the link stops working at once. */
export async function revokeShareLink(userId: string, shareLinkId: string): Promise<ShareLinkDto> {
  const link = isWellFormedId(shareLinkId) ? await getPrisma().shareLink.findUnique({ where: { id: shareLinkId } }) : null;
  if (!link) throw new ServiceError(404, 'not_found', 'Link not found');
  try {
    await requireProjectAction(userId, link.projectId, 'share.manage');
  } catch (error) {
    if (error instanceof ServiceError && error.status === 404) throw new ServiceError(404, 'not_found', 'Link not found');
    throw error;
  }
  const updated = link.revokedAt ? link : await getPrisma().shareLink.update({ where: { id: link.id }, data: { revokedAt: new Date() } });
  await disconnectRoom(shareLinkRoom(link.id));
  return toDto(updated);
}
