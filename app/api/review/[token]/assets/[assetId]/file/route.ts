import { respond } from '@/lib/server/projects/routeResponse';
import { guestAssetFileResponse } from '@/lib/server/review/guestReview';

type Context = { params: Promise<{ token: string; assetId: string }> };

export async function GET(req: Request, { params }: Context) {
  const { token, assetId } = await params;
  return respond(() => guestAssetFileResponse(token, assetId, req));
}

export async function HEAD(req: Request, { params }: Context) {
  const { token, assetId } = await params;
  return respond(() => guestAssetFileResponse(token, assetId, req));
}
