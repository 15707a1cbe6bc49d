import { z } from 'zod';
import type { Export } from '@/lib/generated/prisma/client';
import { requireAssetAction } from '@/lib/server/access';
import { getPrisma } from '@/lib/server/db/client';
import { enqueueJob } from '@/lib/server/jobs/enqueue';
import { ServiceError } from '@/lib/server/projects/serviceError';
import { validate } from '@/lib/server/projects/validate';
import { activeApproval } from './approvals';
import { DELIVERY_FORMAT_IDS, DELIVERY_FORMATS, deliverySampleRate, isDeliveryFormat, type DeliveryFormat } from './deliveryFormats';
import { broadcastToTrack } from './trackBroadcast';

export interface DeliveryDto {
  id: string;
  format: DeliveryFormat;
  label: string;
  detail: string;
  sampleRate: number;
  status: Export['status'];
  byteSize: number | null;
  error: string | null;
  /** Same-origin path of the download (served by server/http.ts so Content-Length reaches the progress bar). */
  downloadPath: string | null;
}

export function toDeliveryDto(e: Export, downloadPrefix = '/downloads/exports'): DeliveryDto | null {
  if (!isDeliveryFormat(e.format)) return null;
  const f = DELIVERY_FORMATS[e.format];
  return {
    id: e.id,
    format: e.format,
    label: f.label,
    detail: f.detail,
    sampleRate: e.sampleRate,
    status: e.status,
    byteSize: e.byteSize == null ? null : Number(e.byteSize),
    error: e.error,
    downloadPath: e.status === 'completed' && e.storageKey ? `${downloadPrefix}/${e.id}` : null,
  };
}

export async function deliveriesOf(assetId: string, downloadPrefix?: string): Promise<{ approved: boolean; deliveries: DeliveryDto[] }> {
  const [approval, rows] = await Promise.all([
    activeApproval(assetId),
    getPrisma().export.findMany({ where: { assetId }, orderBy: { createdAt: 'asc' } }),
  ]);
  const deliveries = rows
    .filter((r) => isDeliveryFormat(r.format))
    .sort((a, b) => DELIVERY_FORMAT_IDS.indexOf(a.format as DeliveryFormat) - DELIVERY_FORMAT_IDS.indexOf(b.format as DeliveryFormat))
    .map((r) => toDeliveryDto(r, downloadPrefix))
    .filter((d): d is DeliveryDto => !!d);
  return { approved: !!approval, deliveries: approval ? deliveries : [] };
}

export async function listDeliveries(userId: string, assetId: string) {
  await requireAssetAction(userId, assetId, 'project.view');
  return deliveriesOf(assetId);
}

const requestSchema = z.object({
  formats: z.array(z.enum(DELIVERY_FORMAT_IDS as [DeliveryFormat, ...DeliveryFormat[]])).min(1).max(DELIVERY_FORMAT_IDS.length).optional(),
});

/**
 * Renders the delivery files of an approved master through the export job. Formats already rendered or on their way
 * are not rendered again; failed ones are retried.
 */
export async function requestDeliveries(userId: string, assetId: string, input: unknown) {
  const { projectId, trackId } = await requireAssetAction(userId, assetId, 'delivery.export');
  const { formats = DELIVERY_FORMAT_IDS } = validate(requestSchema, input ?? {});
  const prisma = getPrisma();
  if (!(await activeApproval(assetId))) throw new ServiceError(409, 'not_approved', 'Approve this master before rendering delivery files');
  const asset = await prisma.asset.findUniqueOrThrow({ where: { id: assetId }, select: { sampleRate: true } });
  const toRender: string[] = [];
  for (const format of formats) {
    const sampleRate = deliverySampleRate(format, asset.sampleRate);
    const key = { assetId_format_sampleRate: { assetId, format, sampleRate } };
    const row = await prisma.export.findUnique({ where: key });
    if (!row) {
      toRender.push((await prisma.export.create({ data: { assetId, format, sampleRate, status: 'queued' } })).id);
    } else if (row.status === 'failed' || row.status === 'cancelled') {
      await prisma.export.update({ where: { id: row.id }, data: { status: 'queued', error: null } });
      toRender.push(row.id);
    }
  }
  let jobId: string | null = null;
  if (toRender.length) {
    const job = await enqueueJob({ type: 'export', projectId, trackId, assetId, input: { exportIds: toRender }, createdById: userId });
    jobId = job.id;
  }
  await broadcastToTrack(projectId, trackId, 'export:changed', { projectId, trackId, assetId }, { guests: false });
  return { jobId, ...(await deliveriesOf(assetId)) };
}

/**
 * Delivery files carry the track's tags (title, artist, album, ISRC, year), so a tag change makes the rendered ones
 * wrong. Approved masters get theirs rendered again at once (downloads wait for the new files); the files of masters
 * no longer approved are marked outdated and rendered again when someone asks. Approval finality is unaffected.
 */
export async function outdateDeliveriesOfTrack(userId: string, projectId: string, trackId: string): Promise<void> {
  const prisma = getPrisma();
  const rows = await prisma.export.findMany({ where: { asset: { trackId }, status: 'completed' }, select: { id: true, assetId: true } });
  const byAsset = new Map<string, string[]>();
  for (const r of rows) byAsset.set(r.assetId, [...(byAsset.get(r.assetId) ?? []), r.id]);
  for (const [assetId, ids] of byAsset) {
    if (await activeApproval(assetId)) {
      await prisma.export.updateMany({ where: { id: { in: ids } }, data: { status: 'queued', error: null } });
      await enqueueJob({ type: 'export', projectId, trackId, assetId, input: { exportIds: ids }, createdById: userId });
    } else {
      await prisma.export.updateMany({ where: { id: { in: ids } }, data: { status: 'cancelled', error: 'outdated: the track metadata changed' } });
    }
    await broadcastToTrack(projectId, trackId, 'export:changed', { projectId, trackId, assetId }, { guests: false });
  }
}
