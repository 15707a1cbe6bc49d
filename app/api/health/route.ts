// GET /api/health: 200 when the database answers, every migration is applied and a worker beat recently; 503 with
// the failing parts otherwise, so a load balancer or `npm start`'s caller can tell what is wrong.
import { getHealth } from '@/lib/server/health';

export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  const report = await getHealth();
  return Response.json(report, { status: report.ok ? 200 : 503, headers: { 'Cache-Control': 'no-store' } });
}
