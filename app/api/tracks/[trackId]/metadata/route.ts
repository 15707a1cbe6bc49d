import { getTrackMetadata, updateTrackMetadata } from '@/lib/server/review/trackMetadata';
import { readJsonBody, withUser } from '@/lib/server/projects/routeResponse';

type Context = { params: Promise<{ trackId: string }> };

export async function GET(req: Request, { params }: Context) {
  const { trackId } = await params;
  return withUser(req, (user) => getTrackMetadata(user.id, trackId));
}

export async function PATCH(req: Request, { params }: Context) {
  const { trackId } = await params;
  return withUser(req, async (user) => updateTrackMetadata(user.id, trackId, await readJsonBody(req)));
}
