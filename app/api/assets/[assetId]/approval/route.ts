import { approveAsset, revokeApproval } from '@/lib/server/review/approvals';
import { withUser } from '@/lib/server/projects/routeResponse';

type Context = { params: Promise<{ assetId: string }> };

export async function POST(req: Request, { params }: Context) {
  const { assetId } = await params;
  return withUser(req, (user) => approveAsset(user, assetId), 201);
}

export async function DELETE(req: Request, { params }: Context) {
  const { assetId } = await params;
  return withUser(req, (user) => revokeApproval(user.id, assetId));
}
