import { deleteProject, getProject, renameProject } from '@/lib/server/projects/projects';
import { readJsonBody, withUser } from '@/lib/server/projects/routeResponse';

type Context = { params: Promise<{ projectId: string }> };

export async function GET(req: Request, { params }: Context) {
  const { projectId } = await params;
  return withUser(req, (user) => getProject(user.id, projectId));
}

export async function PATCH(req: Request, { params }: Context) {
  const { projectId } = await params;
  return withUser(req, async (user) => renameProject(user.id, projectId, await readJsonBody(req)));
}

export async function DELETE(req: Request, { params }: Context) {
  const { projectId } = await params;
  return withUser(req, (user) => deleteProject(user.id, projectId));
}
