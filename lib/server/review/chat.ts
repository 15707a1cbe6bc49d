import { z } from 'zod';
import { Prisma, type ChatMessage, type User } from '@/lib/generated/prisma/client';
import { requireTrackAction } from '@/lib/server/access';
import { getPrisma } from '@/lib/server/db/client';
import { ServiceError } from '@/lib/server/projects/serviceError';
import { validate } from '@/lib/server/projects/validate';
import { resolveMentions } from './mentions';
import { clientKeySchema, messageBodySchema } from './messageBody';
import { notifyUsers, snippet } from './notifications';
import type { ChatMessageDto } from './reviewEvents';
import { broadcastToTrack } from './trackBroadcast';

const createSchema = z.object({ body: messageBodySchema, clientKey: clientKeySchema.optional() });
const listSchema = z.object({
  since: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});
const SINCE_OVERLAP_MS = 5000;

type Row = ChatMessage & { author: Pick<User, 'id' | 'name'> | null };
const include = { author: { select: { id: true, name: true } } } as const;

export function toChatDto(m: Row): ChatMessageDto {
  return {
    id: m.id,
    trackId: m.trackId,
    author: m.author ? { id: m.author.id, name: m.author.name } : null,
    guestName: m.guestName,
    body: m.deletedAt ? '' : m.body,
    mentionIds: m.deletedAt ? [] : m.mentionIds,
    deletedAt: m.deletedAt?.toISOString() ?? null,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
    clientKey: m.clientKey,
  };
}

/** Track chat history, oldest first: the newest `limit` messages, or what changed since a reconnecting client left. */
export async function listChat(userId: string, trackId: string, query: unknown): Promise<{ messages: ChatMessageDto[]; serverTime: string }> {
  await requireTrackAction(userId, trackId, 'project.view');
  const { since, limit } = validate(listSchema, query ?? {});
  const serverTime = new Date().toISOString();
  const prisma = getPrisma();
  if (since) {
    const rows = await prisma.chatMessage.findMany({
      where: { trackId, updatedAt: { gte: new Date(new Date(since).getTime() - SINCE_OVERLAP_MS) } },
      include,
      orderBy: { createdAt: 'asc' },
      take: 1000,
    });
    return { messages: rows.map(toChatDto), serverTime };
  }
  const rows = await prisma.chatMessage.findMany({ where: { trackId }, include, orderBy: { createdAt: 'desc' }, take: limit ?? 200 });
  return { messages: rows.reverse().map(toChatDto), serverTime };
}

/** Posts a chat message; a retry with the same clientKey returns the first message instead of posting twice. */
export async function postChatMessage(
  user: { id: string; name: string },
  trackId: string,
  input: unknown,
): Promise<{ message: ChatMessageDto; created: boolean }> {
  const { projectId } = await requireTrackAction(user.id, trackId, 'comment.write');
  const data = validate(createSchema, input);
  const prisma = getPrisma();
  const existing = async () => {
    if (!data.clientKey) return null;
    const row = await prisma.chatMessage.findUnique({ where: { trackId_clientKey: { trackId, clientKey: data.clientKey } }, include });
    if (row && row.authorId !== user.id) throw new ServiceError(409, 'client_key_taken', 'That clientKey was used by someone else');
    return row;
  };
  const first = await existing();
  if (first) return { message: toChatDto(first), created: false };
  const mentionIds = await resolveMentions(projectId, data.body);
  let row: Row;
  try {
    row = await prisma.chatMessage.create({
      data: { trackId, authorId: user.id, body: data.body, mentionIds, clientKey: data.clientKey ?? null },
      include,
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      const raced = await existing();
      if (raced) return { message: toChatDto(raced), created: false };
    }
    throw error;
  }
  const message = toChatDto(row);
  await broadcastToTrack(projectId, trackId, 'chat:upserted', { projectId, trackId, message }, { guests: false });
  const mentioned = mentionIds.filter((id) => id !== user.id);
  if (mentioned.length) {
    const track = await prisma.track.findUniqueOrThrow({ where: { id: trackId }, select: { title: true } });
    await notifyUsers(mentioned, {
      kind: 'mention',
      projectId,
      trackId,
      link: `/projects/${projectId}/tracks/${trackId}#chat`,
      text: `${user.name} mentioned you in the chat of “${track.title}”: ${snippet(data.body)}`,
    });
  }
  return { message, created: true };
}
