import { readJsonBody, withUser } from '@/lib/server/projects/routeResponse';
import { retryMaster } from '@/lib/server/projects/versions';

type Context = { params: Promise<{ trackId: string }> };

export async function POST(req: Request, { params }: Context) {
  const { trackId } = await params;
  return withUser(req, async (user) => retryMaster(user.id, trackId, await readJsonBody(req)), 202);
}
