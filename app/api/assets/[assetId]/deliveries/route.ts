import { listDeliveries, requestDeliveries } from '@/lib/server/review/deliveries';
import { readJsonBody, withUser } from '@/lib/server/projects/routeResponse';

type Context = { params: Promise<{ assetId: string }> };

export async function GET(req: Request, { params }: Context) {
  const { assetId } = await params;
  return withUser(req, (user) => listDeliveries(user.id, assetId));
}

/** Renders the delivery files (all formats, or `{ formats }`) of an approved master through the export job. */
export async function POST(req: Request, { params }: Context) {
  const { assetId } = await params;
  return withUser(req, async (user) => requestDeliveries(user.id, assetId, await readJsonBody(req).catch(() => ({}))), 202);
}
