import { changeMemberRole, removeMember } from '@/lib/server/projects/members';
import { readJsonBody, withUser } from '@/lib/server/projects/routeResponse';

type Context = { params: Promise<{ projectId: string; membershipId: string }> };

export async function PATCH(req: Request, { params }: Context) {
  const { projectId, membershipId } = await params;
  return withUser(req, async (user) => changeMemberRole(user.id, projectId, membershipId, await readJsonBody(req)));
}

export async function DELETE(req: Request, { params }: Context) {
  const { projectId, membershipId } = await params;
  return withUser(req, (user) => removeMember(user.id, projectId, membershipId));
}
