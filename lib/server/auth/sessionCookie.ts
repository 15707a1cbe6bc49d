import { getConfig } from '@/lib/server/config';

const BASE_NAME = 'next-auth.session-token';

/** Cookies are `Secure` (and get the `__Secure-` prefix browsers enforce) exactly when the app is served over https. */
export function usesSecureCookies(): boolean {
  return getConfig().publicUrl.startsWith('https://');
}

export function sessionCookieName(secure = usesSecureCookies()): string {
  return secure ? `__Secure-${BASE_NAME}` : BASE_NAME;
}

export function parseCookieHeader(header: string | null | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    try {
      cookies.set(name, decodeURIComponent(raw));
    } catch {
      cookies.set(name, raw);
    }
  }
  return cookies;
}

/** next-auth splits large JWTs into `name.0`, `name.1`…; reassemble before decoding. */
export function sessionTokenFrom(cookies: Map<string, string>): string | null {
  const name = sessionCookieName();
  const whole = cookies.get(name);
  if (whole) return whole;
  const chunks: string[] = [];
  for (let i = 0; cookies.has(`${name}.${i}`); i++) chunks.push(cookies.get(`${name}.${i}`)!);
  return chunks.length ? chunks.join('') : null;
}
