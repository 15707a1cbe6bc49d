import { createHash, randomBytes } from 'node:crypto';
import { getPrisma } from '@/lib/server/db/client';
import { ServiceError } from '@/lib/server/projects/serviceError';

/** What a valid guest review link grants: one track of one project, listening and commenting, maybe downloads. */
export interface GuestAccess {
  shareLinkId: string;
  projectId: string;
  trackId: string;
  allowDownload: boolean;
  expiresAt: Date | null;
}

/** 32 random bytes, URL-safe: the link itself is the credential, so it must not be guessable. */
export function newShareToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Only this hash is stored: a database leak does not hand out working links. */
export function hashShareToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{20,100}$/;

/**
 * Checked on every guest request and socket handshake, so revocation and expiry take effect at once. Unknown, revoked
 * and expired links all look alike to the caller.
 */
export async function resolveShareToken(token: unknown): Promise<GuestAccess> {
  if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) throw invalidLink();
  const link = await getPrisma().shareLink.findUnique({ where: { tokenHash: hashShareToken(token) } });
  if (!link || !link.trackId || link.revokedAt || (link.expiresAt && link.expiresAt.getTime() <= Date.now())) throw invalidLink();
  return { shareLinkId: link.id, projectId: link.projectId, trackId: link.trackId, allowDownload: link.allowDownload, expiresAt: link.expiresAt };
}

function invalidLink(): ServiceError {
  return new ServiceError(404, 'link_invalid', 'This review link is not valid any more (revoked, expired or mistyped)');
}
