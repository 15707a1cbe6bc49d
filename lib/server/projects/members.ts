import { z } from 'zod';
import type { Role } from '@/lib/generated/prisma/enums';
import { isWellFormedId, requireProjectAction, ROLES } from '@/lib/server/access';
import { emailSchema } from '@/lib/server/auth/credentials';
import { getPrisma } from '@/lib/server/db/client';
import { emitProjectEvent, evictUserFromProject } from '@/lib/server/realtime/emitter';
import { ServiceError } from './serviceError';
import { validate } from './validate';

const roleSchema = z.enum(ROLES as [Role, ...Role[]], { error: 'Role must be owner, engineer, artist or viewer' });
const inviteSchema = z.object({ email: emailSchema, role: roleSchema });
const roleChangeSchema = z.object({ role: roleSchema });

export interface MemberList {
  members: { id: string; userId: string; name: string; email: string; role: Role }[];
  invites: { id: string; email: string; role: Role; createdAt: string }[];
}

export async function listMembers(userId: string, projectId: string): Promise<MemberList> {
  const access = await requireProjectAction(userId, projectId, 'project.view');
  const prisma = getPrisma();
  const memberships = await prisma.membership.findMany({
    where: { projectId },
    include: { user: { select: { name: true, email: true } } },
    orderBy: { createdAt: 'asc' },
  });
  // Pending invites reveal outside email addresses: only people who manage members see them.
  const invites =
    access.role === 'owner' ? await prisma.invite.findMany({ where: { projectId }, orderBy: { createdAt: 'asc' } }) : [];
  return {
    members: memberships.map((m) => ({ id: m.id, userId: m.userId, name: m.user.name, email: m.user.email, role: m.role })),
    invites: invites.map((i) => ({ id: i.id, email: i.email, role: i.role, createdAt: i.createdAt.toISOString() })),
  };
}

/** An existing account becomes a member at once; an unknown email gets an invite that sign-up redeems. */
export async function inviteMember(
  userId: string,
  projectId: string,
  input: unknown,
): Promise<{ status: 'added' | 'invited'; email: string; role: Role }> {
  await requireProjectAction(userId, projectId, 'members.manage');
  const { email, role } = validate(inviteSchema, input);
  const prisma = getPrisma();
  const existing = await prisma.user.findUnique({ where: { email }, select: { id: true } });
  if (existing) {
    const membership = await prisma.membership.findUnique({ where: { projectId_userId: { projectId, userId: existing.id } } });
    if (membership) throw new ServiceError(409, 'already_member', `${email} is already a member`, { email: 'Already a member' });
    await prisma.membership.create({ data: { projectId, userId: existing.id, role } });
    await emitProjectEvent(projectId, 'members:changed', { projectId });
    return { status: 'added', email, role };
  }
  await prisma.invite.upsert({
    where: { projectId_email: { projectId, email } },
    create: { projectId, email, role },
    update: { role },
  });
  await emitProjectEvent(projectId, 'members:changed', { projectId });
  return { status: 'invited', email, role };
}

async function assertNotLastOwner(projectId: string, membershipUserId: string, currentRole: Role, nextRole?: Role) {
  if (currentRole !== 'owner' || nextRole === 'owner') return;
  const owners = await getPrisma().membership.count({ where: { projectId, role: 'owner', userId: { not: membershipUserId } } });
  if (owners === 0) throw new ServiceError(409, 'last_owner', 'A project needs at least one owner');
}

async function findMembership(projectId: string, membershipId: string) {
  const membership = isWellFormedId(membershipId)
    ? await getPrisma().membership.findFirst({ where: { id: membershipId, projectId } })
    : null;
  if (!membership) throw new ServiceError(404, 'not_found', 'Member not found');
  return membership;
}

export async function changeMemberRole(userId: string, projectId: string, membershipId: string, input: unknown) {
  await requireProjectAction(userId, projectId, 'members.manage');
  const { role } = validate(roleChangeSchema, input);
  const membership = await findMembership(projectId, membershipId);
  await assertNotLastOwner(projectId, membership.userId, membership.role, role);
  await getPrisma().membership.update({ where: { id: membershipId }, data: { role } });
  await emitProjectEvent(projectId, 'members:changed', { projectId });
  return { id: membershipId, role };
}

export async function removeMember(userId: string, projectId: string, membershipId: string): Promise<void> {
  await requireProjectAction(userId, projectId, 'members.manage');
  const membership = await findMembership(projectId, membershipId);
  await assertNotLastOwner(projectId, membership.userId, membership.role);
  await getPrisma().membership.delete({ where: { id: membershipId } });
  await evictUserFromProject(membership.userId, projectId);
  await emitProjectEvent(projectId, 'members:changed', { projectId });
}

export async function revokeInvite(userId: string, projectId: string, inviteId: string): Promise<void> {
  await requireProjectAction(userId, projectId, 'members.manage');
  const { count } = isWellFormedId(inviteId)
    ? await getPrisma().invite.deleteMany({ where: { id: inviteId, projectId } })
    : { count: 0 };
  if (count === 0) throw new ServiceError(404, 'not_found', 'Invite not found');
  await emitProjectEvent(projectId, 'members:changed', { projectId });
}
