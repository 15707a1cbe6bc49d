import { inviteMember, listMembers } from '@/lib/server/projects/members';
import { readJsonBody, withUser } from '@/lib/server/projects/routeResponse';

type Context = { params: Promise<{ projectId: string }> };

export async function GET(req: Request, { params }: Context) {
  const { projectId } = await params;
  return withUser(req, (user) => listMembers(user.id, projectId));
}

export async function POST(req: Request, { params }: Context) {
  const { projectId } = await params;
  return withUser(req, async (user) => inviteMember(user.id, projectId, await readJsonBody(req)), 201);
}
