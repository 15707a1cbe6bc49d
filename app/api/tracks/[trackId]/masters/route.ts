import { readJsonBody, withUser } from '@/lib/server/projects/routeResponse';
import { requestMaster } from '@/lib/server/projects/versions';

type Context = { params: Promise<{ trackId: string }> };

/** Queues a master render (derived from references, or from edited settings). */
export async function POST(req: Request, { params }: Context) {
  const { trackId } = await params;
  return withUser(req, async (user) => requestMaster(user.id, trackId, await readJsonBody(req)), 202);
}
