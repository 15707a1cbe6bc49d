import type { Approval, User } from '@/lib/generated/prisma/client';
import { ACTION_MIN_ROLE, requireAssetAction, requireTrackAction, roleAllows } from '@/lib/server/access';
import { getPrisma } from '@/lib/server/db/client';
import { ServiceError } from '@/lib/server/projects/serviceError';
import { notifyUsers, projectMemberIds } from './notifications';
import type { ApprovalDto } from './reviewEvents';
import { broadcastToTrack } from './trackBroadcast';

type Row = Approval & { user: Pick<User, 'id' | 'name'> };

async function deliveredAt(assetId: string): Promise<Date | null> {
  const first = await getPrisma().export.findFirst({ where: { assetId, downloadedAt: { not: null } }, orderBy: { downloadedAt: 'asc' } });
  return first?.downloadedAt ?? null;
}

async function toDto(a: Row): Promise<ApprovalDto> {
  return { id: a.id, assetId: a.assetId, user: { id: a.user.id, name: a.user.name }, createdAt: a.createdAt.toISOString(), revocable: !(await deliveredAt(a.assetId)) };
}

export async function activeApproval(assetId: string): Promise<Row | null> {
  return getPrisma().approval.findFirst({ where: { assetId, revokedAt: null }, include: { user: { select: { id: true, name: true } } }, orderBy: { createdAt: 'desc' } });
}

/** Active approvals of a track's versions, keyed by asset id. */
export async function listTrackApprovals(userId: string, trackId: string): Promise<Record<string, ApprovalDto>> {
  await requireTrackAction(userId, trackId, 'project.view');
  const rows = await getPrisma().approval.findMany({
    where: { revokedAt: null, asset: { trackId } },
    include: { user: { select: { id: true, name: true } } },
    orderBy: { createdAt: 'asc' },
  });
  const out: Record<string, ApprovalDto> = {};
  for (const row of rows) out[row.assetId] = await toDto(row);
  return out;
}

/** An artist (or anyone above) signs off a master version: who and when is recorded and shown on the version. */
export async function approveAsset(user: { id: string; name: string }, assetId: string): Promise<ApprovalDto> {
  const { projectId, trackId } = await requireAssetAction(user.id, assetId, 'asset.approve');
  const prisma = getPrisma();
  const asset = await prisma.asset.findUniqueOrThrow({ where: { id: assetId }, select: { kind: true, status: true, version: true, track: { select: { title: true } } } });
  if (asset.kind !== 'master') throw new ServiceError(409, 'not_a_master', 'Only master versions can be approved');
  if (asset.status !== 'ready') throw new ServiceError(409, 'not_ready', 'This master is not ready yet');
  const existing = await activeApproval(assetId);
  if (existing) return toDto(existing);
  const row = await prisma.approval.create({ data: { assetId, userId: user.id }, include: { user: { select: { id: true, name: true } } } });
  const approval = await toDto(row);
  await broadcastToTrack(projectId, trackId, 'approval:changed', { projectId, trackId, assetId, approval }, { guests: false });
  await notifyUsers(await projectMemberIds(projectId, [user.id]), {
    kind: 'approval',
    projectId,
    trackId,
    link: `/projects/${projectId}/tracks/${trackId}`,
    text: `${user.name} approved master v${asset.version} of “${asset.track.title}”`,
  });
  return approval;
}

/** Revocable by the approver or an owner, until the first delivery file has been downloaded. */
export async function revokeApproval(userId: string, assetId: string): Promise<void> {
  const access = await requireAssetAction(userId, assetId, 'asset.approve');
  const existing = await activeApproval(assetId);
  if (!existing) throw new ServiceError(404, 'not_found', 'This version is not approved');
  if (existing.userId !== userId && !roleAllows(access.role, ACTION_MIN_ROLE['members.manage'])) {
    throw new ServiceError(403, 'forbidden', 'Only the person who approved (or an owner) can revoke it');
  }
  if (await deliveredAt(assetId)) throw new ServiceError(409, 'delivered', 'Delivery files were already downloaded; the approval is final');
  await getPrisma().approval.update({ where: { id: existing.id }, data: { revokedAt: new Date() } });
  await broadcastToTrack(access.projectId, access.trackId, 'approval:changed', { projectId: access.projectId, trackId: access.trackId, assetId, approval: null }, { guests: false });
}
