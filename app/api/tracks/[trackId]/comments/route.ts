import { createMemberComment, listCommentsForUser } from '@/lib/server/review/comments';
import { readJsonBody, withUser } from '@/lib/server/projects/routeResponse';

type Context = { params: Promise<{ trackId: string }> };

export async function GET(req: Request, { params }: Context) {
  const { trackId } = await params;
  return withUser(req, (user) => listCommentsForUser(user.id, trackId, Object.fromEntries(new URL(req.url).searchParams)));
}

/** 201 for a new comment; 200 with the same comment when a retry's clientKey matches an earlier send. */
export async function POST(req: Request, { params }: Context) {
  const { trackId } = await params;
  return withUser(req, async (user) => {
    const result = await createMemberComment(user, trackId, await readJsonBody(req));
    return Response.json(result.comment, { status: result.created ? 201 : 200 });
  });
}
