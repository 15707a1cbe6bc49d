import { respond } from '@/lib/server/projects/routeResponse';
import { listGuestDeliveries } from '@/lib/server/review/guestReview';

type Context = { params: Promise<{ token: string; assetId: string }> };

export async function GET(_req: Request, { params }: Context) {
  const { token, assetId } = await params;
  return respond(() => listGuestDeliveries(token, assetId));
}
