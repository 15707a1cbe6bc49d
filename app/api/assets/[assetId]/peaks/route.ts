import { withUser } from '@/lib/server/projects/routeResponse';
import { getPeaksJson } from '@/lib/server/projects/versions';

type Context = { params: Promise<{ assetId: string }> };

/** Waveform peaks for the player. The page asks with ?v=<peaksVersion>, so a given URL never changes content. */
export async function GET(req: Request, { params }: Context) {
  const { assetId } = await params;
  const versioned = new URL(req.url).searchParams.has('v');
  const response = await withUser(req, (user) => getPeaksJson(user.id, assetId));
  if (response.ok) response.headers.set('Cache-Control', versioned ? 'private, max-age=31536000, immutable' : 'private, no-cache');
  return response;
}
