import { listChat, postChatMessage } from '@/lib/server/review/chat';
import { readJsonBody, withUser } from '@/lib/server/projects/routeResponse';

type Context = { params: Promise<{ trackId: string }> };

export async function GET(req: Request, { params }: Context) {
  const { trackId } = await params;
  return withUser(req, (user) => listChat(user.id, trackId, Object.fromEntries(new URL(req.url).searchParams)));
}

export async function POST(req: Request, { params }: Context) {
  const { trackId } = await params;
  return withUser(req, async (user) => {
    const result = await postChatMessage(user, trackId, await readJsonBody(req));
    return Response.json(result.message, { status: result.created ? 201 : 200 });
  });
}
