import { withUser } from '@/lib/server/projects/routeResponse';
import { listActiveJobs } from '@/lib/server/projects/tracks';

type Context = { params: Promise<{ projectId: string }> };

export async function GET(req: Request, { params }: Context) {
  const { projectId } = await params;
  return withUser(req, (user) => listActiveJobs(user.id, projectId));
}
