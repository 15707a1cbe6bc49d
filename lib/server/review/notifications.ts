import { z } from 'zod';
import type { Notification } from '@/lib/generated/prisma/client';
import { getPrisma } from '@/lib/server/db/client';
import { validate } from '@/lib/server/projects/validate';
import { emitToRooms } from '@/lib/server/realtime/emitter';
import { userRoom } from '@/lib/server/realtime/events';
import type { NotificationDto } from './reviewEvents';

export type NotificationKind = NotificationDto['kind'];

export interface NewNotification {
  kind: NotificationKind;
  text: string;
  link?: string | null;
  projectId: string;
  trackId?: string | null;
}

const MAX_TEXT = 480;

export function toNotificationDto(n: Notification): NotificationDto {
  return {
    id: n.id,
    kind: n.kind as NotificationKind,
    text: n.text,
    link: n.link,
    projectId: n.projectId,
    trackId: n.trackId,
    readAt: n.readAt?.toISOString() ?? null,
    createdAt: n.createdAt.toISOString(),
  };
}

/** Stores one notification per user and pushes it to each user's open tabs (their own socket room, any page). */
export async function notifyUsers(userIds: string[], input: NewNotification): Promise<void> {
  const unique = [...new Set(userIds)];
  if (unique.length === 0) return;
  const text = input.text.length > MAX_TEXT ? `${input.text.slice(0, MAX_TEXT - 1)}…` : input.text;
  const rows = await getPrisma().notification.createManyAndReturn({
    data: unique.map((userId) => ({
      userId,
      kind: input.kind,
      text,
      link: input.link ?? null,
      projectId: input.projectId,
      trackId: input.trackId ?? null,
    })),
  });
  for (const row of rows) {
    await emitToRooms([userRoom(row.userId)], 'notification:new', { projectId: input.projectId, notification: toNotificationDto(row) });
  }
}

/** Members of a project except the given users: who hears about a new version or approval. */
export async function projectMemberIds(projectId: string, except: (string | null | undefined)[] = []): Promise<string[]> {
  const members = await getPrisma().membership.findMany({ where: { projectId }, select: { userId: true } });
  const skip = new Set(except.filter(Boolean));
  return members.map((m) => m.userId).filter((id) => !skip.has(id));
}

export async function listNotifications(userId: string): Promise<{ unread: number; items: NotificationDto[] }> {
  const prisma = getPrisma();
  const [unread, items] = await Promise.all([
    prisma.notification.count({ where: { userId, readAt: null } }),
    prisma.notification.findMany({ where: { userId }, orderBy: { createdAt: 'desc' }, take: 50 }),
  ]);
  return { unread, items: items.map(toNotificationDto) };
}

const markReadSchema = z.object({ ids: z.array(z.string().min(1).max(64)).max(200).optional() });

/** Marks the given notifications (or all) read; only the caller's own rows can match. */
export async function markNotificationsRead(userId: string, input: unknown): Promise<{ unread: number }> {
  const { ids } = validate(markReadSchema, input ?? {});
  const prisma = getPrisma();
  await prisma.notification.updateMany({
    where: { userId, readAt: null, ...(ids ? { id: { in: ids } } : {}) },
    data: { readAt: new Date() },
  });
  return { unread: await prisma.notification.count({ where: { userId, readAt: null } }) };
}

/** "0:42" / "1:02:03" for notification texts. */
export function formatTimecode(timeSeconds: number): string {
  const total = Math.max(0, Math.floor(timeSeconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

export function snippet(body: string, max = 80): string {
  const flat = body.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
