import NextAuth from 'next-auth';
import { getAuthOptions } from '@/lib/server/auth/authOptions';

type Context = { params: Promise<{ nextauth: string[] }> };

// Options are built per request: the secret comes from runtime config (DATA_DIR/secret), not from the build.
async function handler(req: Request, context: Context) {
  return NextAuth(req as never, context as never, getAuthOptions());
}

export { handler as GET, handler as POST };
