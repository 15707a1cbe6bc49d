import { readJsonBody, withUser } from '@/lib/server/projects/routeResponse';
import { createTrack, listTracks } from '@/lib/server/projects/tracks';

type Context = { params: Promise<{ projectId: string }> };

export async function GET(req: Request, { params }: Context) {
  const { projectId } = await params;
  return withUser(req, (user) => listTracks(user.id, projectId));
}

export async function POST(req: Request, { params }: Context) {
  const { projectId } = await params;
  return withUser(req, async (user) => createTrack(user.id, projectId, await readJsonBody(req)), 201);
}
