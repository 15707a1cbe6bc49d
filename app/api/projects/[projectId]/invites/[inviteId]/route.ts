import { revokeInvite } from '@/lib/server/projects/members';
import { withUser } from '@/lib/server/projects/routeResponse';

type Context = { params: Promise<{ projectId: string; inviteId: string }> };

export async function DELETE(req: Request, { params }: Context) {
  const { projectId, inviteId } = await params;
  return withUser(req, (user) => revokeInvite(user.id, projectId, inviteId));
}
