import { getAsset } from '@/lib/server/projects/assets';
import { withUser } from '@/lib/server/projects/routeResponse';

type Context = { params: Promise<{ assetId: string }> };

export async function GET(req: Request, { params }: Context) {
  const { assetId } = await params;
  return withUser(req, (user) => getAsset(user.id, assetId));
}
