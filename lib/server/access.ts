import type { Role } from '@/lib/generated/prisma/enums';
import { getPrisma } from '@/lib/server/db/client';
import { ServiceError } from '@/lib/server/projects/serviceError';

export type { Role };

/** Each role can do everything the roles below it can. */
export const ROLE_RANK: Record<Role, number> = { viewer: 0, artist: 1, engineer: 2, owner: 3 };
export const ROLES: readonly Role[] = ['owner', 'engineer', 'artist', 'viewer'];

/**
 * What each action needs. Every route handler and socket event names one of these, so the permission model lives
 * in one table that tests and the UI read too.
 */
export const ACTION_MIN_ROLE = {
  'project.view': 'viewer',
  'comment.write': 'viewer',
  'track.create': 'artist',
  'track.edit': 'artist',
  'asset.upload': 'artist',
  'asset.approve': 'artist',
  'delivery.export': 'artist',
  'asset.reanalyze': 'engineer',
  'master.render': 'engineer',
  'project.rename': 'owner',
  'members.manage': 'owner',
  'share.manage': 'owner',
  'comment.moderate': 'owner',
  'track.delete': 'owner',
  'project.delete': 'owner',
} as const satisfies Record<string, Role>;

export type Action = keyof typeof ACTION_MIN_ROLE;

/** Our ids are cuid-shaped; anything else (NUL bytes, slashes, 10 kB strings) is simply not found, never queried. */
const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export function isWellFormedId(id: unknown): id is string {
  return typeof id === 'string' && ID_PATTERN.test(id);
}

export function roleAllows(role: Role, minRole: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[minRole];
}

export function can(role: Role, action: Action): boolean {
  return roleAllows(role, ACTION_MIN_ROLE[action]);
}

export interface ProjectAccess {
  projectId: string;
  userId: string;
  role: Role;
}

/**
 * Non-members get the same 404 as for a project that does not exist, so ids cannot be probed; members whose role is
 * too low get a 403 that says which role is needed.
 */
export async function requireProjectRole(userId: string, projectId: string, minRole: Role): Promise<ProjectAccess> {
  if (!isWellFormedId(projectId)) {
    throw new ServiceError(404, 'not_found', 'Project not found');
  }
  const membership = await getPrisma().membership.findUnique({
    where: { projectId_userId: { projectId, userId } },
    select: { role: true },
  });
  if (!membership) throw new ServiceError(404, 'not_found', 'Project not found');
  if (!roleAllows(membership.role, minRole)) {
    throw new ServiceError(403, 'forbidden', `This needs the ${minRole} role or higher; you are ${membership.role}`);
  }
  return { projectId, userId, role: membership.role };
}

export function requireProjectAction(userId: string, projectId: string, action: Action): Promise<ProjectAccess> {
  return requireProjectRole(userId, projectId, ACTION_MIN_ROLE[action]);
}

/** Resolves the track's project first; a track in someone else's project is indistinguishable from no track. */
export async function requireTrackAction(
  userId: string,
  trackId: string,
  action: Action,
): Promise<ProjectAccess & { trackId: string }> {
  const track =
    isWellFormedId(trackId)
      ? await getPrisma().track.findUnique({ where: { id: trackId }, select: { projectId: true } })
      : null;
  if (!track) throw new ServiceError(404, 'not_found', 'Track not found');
  try {
    return { ...(await requireProjectAction(userId, track.projectId, action)), trackId };
  } catch (error) {
    if (error instanceof ServiceError && error.status === 404) throw new ServiceError(404, 'not_found', 'Track not found');
    throw error;
  }
}

export async function requireAssetAction(
  userId: string,
  assetId: string,
  action: Action,
): Promise<ProjectAccess & { trackId: string; assetId: string }> {
  const asset =
    isWellFormedId(assetId)
      ? await getPrisma().asset.findUnique({ where: { id: assetId }, select: { trackId: true, track: { select: { projectId: true } } } })
      : null;
  if (!asset) throw new ServiceError(404, 'not_found', 'File not found');
  try {
    return { ...(await requireProjectAction(userId, asset.track.projectId, action)), trackId: asset.trackId, assetId };
  } catch (error) {
    if (error instanceof ServiceError && error.status === 404) throw new ServiceError(404, 'not_found', 'File not found');
    throw error;
  }
}
