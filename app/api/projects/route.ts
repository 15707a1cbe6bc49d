import { createProject, listProjects } from '@/lib/server/projects/projects';
import { readJsonBody, withUser } from '@/lib/server/projects/routeResponse';

export async function GET(req: Request) {
  return withUser(req, (user) => listProjects(user.id));
}

export async function POST(req: Request) {
  return withUser(req, async (user) => createProject(user.id, await readJsonBody(req)), 201);
}
