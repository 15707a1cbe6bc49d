import { z } from 'zod';
import { requireProjectAction, requireTrackAction } from '@/lib/server/access';
import { getPrisma } from '@/lib/server/db/client';
import { emitProjectEvent } from '@/lib/server/realtime/emitter';
import { getStorage } from '@/lib/server/storage/defaultStorage';
import { toAssetSummary } from './assets';
import { validate } from './validate';

export const MAX_TRACK_TITLE_LENGTH = 200;

const titleSchema = z
  .string({ error: 'Title is required' })
  .trim()
  .min(1, 'Title is required')
  .max(MAX_TRACK_TITLE_LENGTH, `Title must be at most ${MAX_TRACK_TITLE_LENGTH} characters`)
  .refine((t) => !/[\u0000-\u001f\u007f]/.test(t), 'Title contains control characters');

const trackInputSchema = z.object({ title: titleSchema });

export async function listTracks(userId: string, projectId: string) {
  await requireProjectAction(userId, projectId, 'project.view');
  const tracks = await getPrisma().track.findMany({
    where: { projectId },
    orderBy: [{ position: 'asc' }, { createdAt: 'asc' }],
    include: { assets: { orderBy: [{ kind: 'asc' }, { version: 'desc' }] } },
  });
  return tracks.map((t) => ({
    id: t.id,
    projectId: t.projectId,
    title: t.title,
    position: t.position,
    createdAt: t.createdAt.toISOString(),
    assets: t.assets.map(toAssetSummary),
  }));
}

export async function createTrack(userId: string, projectId: string, input: unknown) {
  await requireProjectAction(userId, projectId, 'track.create');
  const { title } = validate(trackInputSchema, input);
  const prisma = getPrisma();
  const position = await prisma.track.count({ where: { projectId } });
  const track = await prisma.track.create({ data: { projectId, title, position }, select: { id: true, title: true, projectId: true } });
  await emitProjectEvent(projectId, 'track:created', { projectId, trackId: track.id, title });
  return track;
}

export async function getTrack(userId: string, trackId: string) {
  const access = await requireTrackAction(userId, trackId, 'project.view');
  const track = await getPrisma().track.findUniqueOrThrow({
    where: { id: trackId },
    include: { assets: { orderBy: [{ kind: 'asc' }, { version: 'desc' }] }, project: { select: { name: true } } },
  });
  return {
    id: track.id,
    projectId: track.projectId,
    projectName: track.project.name,
    title: track.title,
    role: access.role,
    assets: track.assets.map(toAssetSummary),
  };
}

export async function renameTrack(userId: string, trackId: string, input: unknown) {
  const { projectId } = await requireTrackAction(userId, trackId, 'track.edit');
  const { title } = validate(trackInputSchema, input);
  await getPrisma().track.update({ where: { id: trackId }, data: { title } });
  await emitProjectEvent(projectId, 'track:updated', { projectId, trackId, title });
  return { id: trackId, title };
}

export async function deleteTrack(userId: string, trackId: string): Promise<void> {
  const { projectId } = await requireTrackAction(userId, trackId, 'track.delete');
  const prisma = getPrisma();
  const assets = await prisma.asset.findMany({ where: { trackId }, select: { storageKey: true, peaksKey: true } });
  await prisma.track.delete({ where: { id: trackId } });
  await emitProjectEvent(projectId, 'track:deleted', { projectId, trackId });
  for (const asset of assets) {
    for (const key of [asset.storageKey, asset.peaksKey]) if (key) await getStorage().delete(key).catch(() => undefined);
  }
}

/** Jobs still running in a project, so a page opened mid-analysis shows progress before the next event arrives. */
export async function listActiveJobs(userId: string, projectId: string) {
  await requireProjectAction(userId, projectId, 'project.view');
  const jobs = await getPrisma().job.findMany({
    where: { projectId, state: { in: ['queued', 'active'] } },
    orderBy: { createdAt: 'asc' },
  });
  return jobs.map((j) => ({
    jobId: j.id,
    projectId: j.projectId,
    trackId: j.trackId,
    assetId: j.assetId,
    type: j.type,
    state: j.state,
    progress: j.progress,
    step: j.step,
    error: j.error,
  }));
}
