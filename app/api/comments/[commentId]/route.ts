import { deleteComment, updateComment } from '@/lib/server/review/comments';
import { readJsonBody, withUser } from '@/lib/server/projects/routeResponse';

type Context = { params: Promise<{ commentId: string }> };

/** `{ body }` edits your own comment; `{ resolved }` resolves or reopens a thread. */
export async function PATCH(req: Request, { params }: Context) {
  const { commentId } = await params;
  return withUser(req, async (user) => updateComment(user.id, commentId, await readJsonBody(req)));
}

export async function DELETE(req: Request, { params }: Context) {
  const { commentId } = await params;
  return withUser(req, (user) => deleteComment(user.id, commentId));
}
