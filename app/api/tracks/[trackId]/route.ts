import { readJsonBody, withUser } from '@/lib/server/projects/routeResponse';
import { deleteTrack, getTrack, renameTrack } from '@/lib/server/projects/tracks';

type Context = { params: Promise<{ trackId: string }> };

export async function GET(req: Request, { params }: Context) {
  const { trackId } = await params;
  return withUser(req, (user) => getTrack(user.id, trackId));
}

export async function PATCH(req: Request, { params }: Context) {
  const { trackId } = await params;
  return withUser(req, async (user) => renameTrack(user.id, trackId, await readJsonBody(req)));
}

export async function DELETE(req: Request, { params }: Context) {
  const { trackId } = await params;
  return withUser(req, (user) => deleteTrack(user.id, trackId));
}
