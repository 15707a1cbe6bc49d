import { withUser } from '@/lib/server/projects/routeResponse';
import { getTrackReview } from '@/lib/server/projects/versions';

type Context = { params: Promise<{ trackId: string }> };

export async function GET(req: Request, { params }: Context) {
  const { trackId } = await params;
  return withUser(req, (user) => getTrackReview(user.id, trackId));
}
