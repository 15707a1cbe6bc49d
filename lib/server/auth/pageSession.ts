import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { getSessionUserFromCookieHeader, type SessionUser } from './sessionUser';

/** Session user for server components (pages and layouts), from the same cookie the API routes read. */
export async function getPageUser(): Promise<SessionUser | null> {
  const store = await cookies();
  const header = store
    .getAll()
    .map((c) => `${c.name}=${encodeURIComponent(c.value)}`)
    .join('; ');
  return getSessionUserFromCookieHeader(header);
}

export async function requirePageUser(): Promise<SessionUser> {
  const user = await getPageUser();
  if (!user) redirect('/signin');
  return user;
}
