import { listTrackApprovals } from '@/lib/server/review/approvals';
import { withUser } from '@/lib/server/projects/routeResponse';

type Context = { params: Promise<{ trackId: string }> };

export async function GET(req: Request, { params }: Context) {
  const { trackId } = await params;
  return withUser(req, (user) => listTrackApprovals(user.id, trackId));
}
