import { getPrisma } from '@/lib/server/db/client';
import { notifyUsers, projectMemberIds } from './notifications';

const KIND_LABEL = { mix: 'Mix', reference: 'Reference', master: 'Master' } as const;

/**
 * Tells the project's members (except whoever made it) that a new version exists. Called after an upload finishes
 * and after a master render; works from web and worker processes alike. Never throws: a notification must not undo
 * the version it is about.
 */
export async function notifyNewVersion(assetId: string, byUserId: string | null | undefined): Promise<void> {
  try {
    const asset = await getPrisma().asset.findUnique({
      where: { id: assetId },
      select: { kind: true, version: true, trackId: true, track: { select: { title: true, projectId: true } }, uploadedBy: { select: { name: true } } },
    });
    if (!asset) return;
    const { projectId, title } = asset.track;
    const who = asset.uploadedBy?.name ?? 'Someone';
    const verb = asset.kind === 'master' ? 'rendered' : 'uploaded';
    await notifyUsers(await projectMemberIds(projectId, [byUserId]), {
      kind: 'version',
      projectId,
      trackId: asset.trackId,
      link: `/projects/${projectId}/tracks/${asset.trackId}`,
      text: `${who} ${verb} ${KIND_LABEL[asset.kind]} v${asset.version} of “${title}”`,
    });
  } catch (error) {
    console.error('[notifications] new version', error);
  }
}
