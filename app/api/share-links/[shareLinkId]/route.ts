import { revokeShareLink } from '@/lib/server/review/shareLinks';
import { withUser } from '@/lib/server/projects/routeResponse';

type Context = { params: Promise<{ shareLinkId: string }> };

/** Revokes the link (kept for the record); guests using it are cut off at once, sockets included. */
export async function DELETE(req: Request, { params }: Context) {
  const { shareLinkId } = await params;
  return withUser(req, (user) => revokeShareLink(user.id, shareLinkId));
}
