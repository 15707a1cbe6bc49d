import { readJsonBody, respond } from '@/lib/server/projects/routeResponse';
import { createGuestComment, listGuestComments } from '@/lib/server/review/guestReview';

type Context = { params: Promise<{ token: string }> };

export async function GET(req: Request, { params }: Context) {
  const { token } = await params;
  return respond(() => listGuestComments(token, Object.fromEntries(new URL(req.url).searchParams)));
}

export async function POST(req: Request, { params }: Context) {
  const { token } = await params;
  return respond(async () => {
    const result = await createGuestComment(token, await readJsonBody(req));
    return Response.json(result.comment, { status: result.created ? 201 : 200 });
  });
}
