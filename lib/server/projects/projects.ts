import { z } from 'zod';
import type { Role } from '@/lib/generated/prisma/enums';
import { requireProjectAction } from '@/lib/server/access';
import { getPrisma } from '@/lib/server/db/client';
import { closeProjectRoom, emitProjectEvent } from '@/lib/server/realtime/emitter';
import { getStorage } from '@/lib/server/storage/defaultStorage';
import { validate } from './validate';

export const MAX_PROJECT_NAME_LENGTH = 120;

export const projectNameSchema = z
  .string({ error: 'Project name is required' })
  .trim()
  .min(1, 'Project name is required')
  .max(MAX_PROJECT_NAME_LENGTH, `Project name must be at most ${MAX_PROJECT_NAME_LENGTH} characters`)
  .refine((name) => !/[\u0000-\u001f\u007f]/.test(name), 'Project name contains control characters');

const projectInputSchema = z.object({ name: projectNameSchema });

export interface ProjectSummary {
  id: string;
  name: string;
  role: Role;
  trackCount: number;
  memberCount: number;
  updatedAt: string;
}

export async function listProjects(userId: string): Promise<ProjectSummary[]> {
  const memberships = await getPrisma().membership.findMany({
    where: { userId },
    include: { project: { include: { _count: { select: { tracks: true, memberships: true } } } } },
    orderBy: { project: { updatedAt: 'desc' } },
  });
  return memberships.map((m) => ({
    id: m.project.id,
    name: m.project.name,
    role: m.role,
    trackCount: m.project._count.tracks,
    memberCount: m.project._count.memberships,
    updatedAt: m.project.updatedAt.toISOString(),
  }));
}

export async function createProject(userId: string, input: unknown): Promise<{ id: string; name: string }> {
  const { name } = validate(projectInputSchema, input);
  return getPrisma().project.create({
    data: { name, memberships: { create: { userId, role: 'owner' } } },
    select: { id: true, name: true },
  });
}

export async function getProject(userId: string, projectId: string) {
  const access = await requireProjectAction(userId, projectId, 'project.view');
  const project = await getPrisma().project.findUniqueOrThrow({
    where: { id: projectId },
    select: { id: true, name: true, createdAt: true, updatedAt: true },
  });
  return { ...project, createdAt: project.createdAt.toISOString(), updatedAt: project.updatedAt.toISOString(), role: access.role };
}

export async function renameProject(userId: string, projectId: string, input: unknown): Promise<{ id: string; name: string }> {
  await requireProjectAction(userId, projectId, 'project.rename');
  const { name } = validate(projectInputSchema, input);
  const project = await getPrisma().project.update({ where: { id: projectId }, data: { name }, select: { id: true, name: true } });
  await emitProjectEvent(projectId, 'project:updated', { projectId, name });
  return project;
}

/** Deletes rows (cascade) and then every stored file of the project's assets. */
export async function deleteProject(userId: string, projectId: string): Promise<void> {
  await requireProjectAction(userId, projectId, 'project.delete');
  const prisma = getPrisma();
  const assets = await prisma.asset.findMany({
    where: { track: { projectId } },
    select: { storageKey: true, peaksKey: true, exports: { select: { storageKey: true } } },
  });
  await prisma.project.delete({ where: { id: projectId } });
  await emitProjectEvent(projectId, 'project:deleted', { projectId });
  await closeProjectRoom(projectId);
  const storage = getStorage();
  for (const asset of assets) {
    for (const key of [asset.storageKey, asset.peaksKey, ...asset.exports.map((e) => e.storageKey)]) {
      if (key) await storage.delete(key).catch((error) => console.error('[projects] could not delete', key, error));
    }
  }
}
