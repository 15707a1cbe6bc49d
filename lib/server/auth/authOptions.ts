import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { getPrisma } from '@/lib/server/db/client';
import { getConfig } from '@/lib/server/config';
import { signInSchema } from './credentials';
import { dummyPasswordHash, verifyPassword } from './password';
import { sessionCookieName, usesSecureCookies } from './sessionCookie';

export const SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

/** Built per call because the secret and the public URL come from runtime config, not from build-time env. */
export function getAuthOptions(): NextAuthOptions {
  const secure = usesSecureCookies();
  return {
    secret: getConfig().nextAuthSecret,
    session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_SECONDS },
    useSecureCookies: secure,
    cookies: {
      sessionToken: {
        name: sessionCookieName(secure),
        options: { httpOnly: true, sameSite: 'lax', path: '/', secure },
      },
    },
    pages: { signIn: '/signin' },
    providers: [
      CredentialsProvider({
        name: 'Email and password',
        credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
        async authorize(credentials) {
          const parsed = signInSchema.safeParse(credentials ?? {});
          if (!parsed.success) return null;
          const user = await getPrisma().user.findUnique({ where: { email: parsed.data.email } });
          const ok = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), parsed.data.password);
          if (!user || !ok) return null;
          return { id: user.id, email: user.email, name: user.name };
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) token.sub = user.id;
        return token;
      },
      session({ session, token }) {
        if (session.user) (session.user as { id?: string }).id = token.sub;
        return session;
      },
    },
  };
}
