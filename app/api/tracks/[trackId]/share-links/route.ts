import { createShareLink, listShareLinks } from '@/lib/server/review/shareLinks';
import { readJsonBody, withUser } from '@/lib/server/projects/routeResponse';

type Context = { params: Promise<{ trackId: string }> };

export async function GET(req: Request, { params }: Context) {
  const { trackId } = await params;
  return withUser(req, (user) => listShareLinks(user.id, trackId));
}

export async function POST(req: Request, { params }: Context) {
  const { trackId } = await params;
  return withUser(req, async (user) => createShareLink(user.id, trackId, await readJsonBody(req)), 201);
}
