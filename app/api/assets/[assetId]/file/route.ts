import { assetFileResponse } from '@/lib/server/projects/assetDownload';
import { withUser } from '@/lib/server/projects/routeResponse';

type Context = { params: Promise<{ assetId: string }> };

export async function GET(req: Request, { params }: Context) {
  const { assetId } = await params;
  return withUser(req, (user) => assetFileResponse(user.id, assetId, req));
}

export async function HEAD(req: Request, { params }: Context) {
  const { assetId } = await params;
  return withUser(req, (user) => assetFileResponse(user.id, assetId, req));
}
