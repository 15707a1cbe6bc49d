import { decode } from 'next-auth/jwt';
import { getPrisma } from '@/lib/server/db/client';
import { getConfig } from '@/lib/server/config';
import { unauthorized } from '@/lib/server/projects/serviceError';
import { parseCookieHeader, sessionTokenFrom } from './sessionCookie';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
}

/**
 * The one way every entry point (pages, route handlers, the upload server, the socket handshake) learns who is
 * calling: decode the next-auth JWT cookie and confirm the user still exists, so a deleted account's cookie is dead.
 */
export async function getSessionUserFromCookieHeader(cookieHeader: string | null | undefined): Promise<SessionUser | null> {
  const token = sessionTokenFrom(parseCookieHeader(cookieHeader));
  if (!token) return null;
  let userId: string | undefined;
  try {
    const payload = await decode({ token, secret: getConfig().nextAuthSecret });
    userId = typeof payload?.sub === 'string' ? payload.sub : undefined;
  } catch {
    return null;
  }
  if (!userId) return null;
  return getPrisma().user.findUnique({ where: { id: userId }, select: { id: true, email: true, name: true } });
}

export function getSessionUser(req: { headers: { get(name: string): string | null } }): Promise<SessionUser | null> {
  return getSessionUserFromCookieHeader(req.headers.get('cookie'));
}

export async function requireSessionUser(req: { headers: { get(name: string): string | null } }): Promise<SessionUser> {
  const user = await getSessionUser(req);
  if (!user) throw unauthorized();
  return user;
}
