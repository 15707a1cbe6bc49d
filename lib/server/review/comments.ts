import { z } from 'zod';
import { Prisma, type Comment, type User } from '@/lib/generated/prisma/client';
import { isWellFormedId, requireTrackAction, roleAllows, ACTION_MIN_ROLE } from '@/lib/server/access';
import { getPrisma } from '@/lib/server/db/client';
import { ServiceError } from '@/lib/server/projects/serviceError';
import { validate } from '@/lib/server/projects/validate';
import { actorName, type ReviewActor } from './actor';
import { resolveMentions } from './mentions';
import { clientKeySchema, messageBodySchema } from './messageBody';
import { formatTimecode, notifyUsers, snippet } from './notifications';
import type { CommentDto } from './reviewEvents';
import { broadcastToTrack } from './trackBroadcast';

/** Long enough for any record; it only bounds what a client may claim. */
const MAX_TIME_SECONDS = 24 * 3600;
const timeSchema = z.number({ error: 'Time must be a number of seconds' }).finite().min(0).max(MAX_TIME_SECONDS);

const createSchema = z
  .object({
    assetId: z.string({ error: 'Choose a version' }).min(1).max(64),
    body: messageBodySchema,
    timeSeconds: timeSchema.nullable().optional(),
    endSeconds: timeSchema.nullable().optional(),
    parentId: z.string().min(1).max(64).nullable().optional(),
    clientKey: clientKeySchema.optional(),
  })
  .refine((c) => c.endSeconds == null || (c.timeSeconds != null && c.endSeconds > c.timeSeconds), {
    message: 'A range must end after it starts',
    path: ['endSeconds'],
  });

const updateSchema = z.union([
  z.object({ body: messageBodySchema }).strict(),
  z.object({ resolved: z.boolean() }).strict(),
]);

const listSchema = z.object({ since: z.iso.datetime({ offset: true }).optional() });

/** Reconnect catch-up asks for changes since its last server time; this overlap absorbs clock skew between processes. */
const SINCE_OVERLAP_MS = 5000;
const MAX_LISTED = 5000;

type CommentRow = Comment & { author: Pick<User, 'id' | 'name'> | null };
const include = { author: { select: { id: true, name: true } } } as const;

export function toCommentDto(c: CommentRow, resolvedByName: string | null = null): CommentDto {
  return {
    id: c.id,
    trackId: c.trackId,
    assetId: c.assetId,
    parentId: c.parentId,
    author: c.author ? { id: c.author.id, name: c.author.name } : null,
    guestName: c.guestName,
    body: c.deletedAt ? '' : c.body,
    mentionIds: c.deletedAt ? [] : c.mentionIds,
    timeSeconds: c.timeSeconds,
    endSeconds: c.endSeconds,
    resolvedAt: c.resolvedAt?.toISOString() ?? null,
    resolvedBy: c.resolvedAt ? resolvedByName : null,
    editedAt: c.editedAt?.toISOString() ?? null,
    deletedAt: c.deletedAt?.toISOString() ?? null,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
    clientKey: c.clientKey,
  };
}

async function resolverNames(rows: CommentRow[]): Promise<Map<string, string>> {
  const ids = [...new Set(rows.map((r) => r.resolvedById).filter((x): x is string => !!x))];
  if (ids.length === 0) return new Map();
  const users = await getPrisma().user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } });
  return new Map(users.map((u) => [u.id, u.name]));
}

async function toDtos(rows: CommentRow[]): Promise<CommentDto[]> {
  const names = await resolverNames(rows);
  return rows.map((r) => toCommentDto(r, r.resolvedById ? (names.get(r.resolvedById) ?? null) : null));
}

/** Every comment of a track (all versions), oldest first; with `since`, only those changed since then. */
export async function listTrackComments(trackId: string, query: unknown): Promise<{ comments: CommentDto[]; serverTime: string }> {
  const { since } = validate(listSchema, query ?? {});
  const serverTime = new Date().toISOString();
  const where: Prisma.CommentWhereInput = { trackId };
  if (since) where.updatedAt = { gte: new Date(new Date(since).getTime() - SINCE_OVERLAP_MS) };
  const rows = await getPrisma().comment.findMany({ where, include, orderBy: { createdAt: 'asc' }, take: MAX_LISTED });
  return { comments: await toDtos(rows), serverTime };
}

export async function listCommentsForUser(userId: string, trackId: string, query: unknown) {
  await requireTrackAction(userId, trackId, 'project.view');
  return listTrackComments(trackId, query);
}

/**
 * Creates a comment or a reply. With a clientKey, a retried send returns the comment the first attempt created
 * (`created: false`) instead of a duplicate, even when both attempts race.
 */
export async function createComment(
  actor: ReviewActor,
  projectId: string,
  trackId: string,
  input: unknown,
): Promise<{ comment: CommentDto; created: boolean }> {
  const data = validate(createSchema, input);
  const prisma = getPrisma();
  if (data.clientKey) {
    const existing = await findByClientKey(trackId, data.clientKey, actor);
    if (existing) return { comment: existing, created: false };
  }
  let assetId = data.assetId;
  let parentId: string | null = null;
  let timeSeconds = data.timeSeconds ?? null;
  let endSeconds = data.endSeconds ?? null;
  let parent: CommentRow | null = null;
  if (data.parentId) {
    parent = isWellFormedId(data.parentId)
      ? await prisma.comment.findFirst({ where: { id: data.parentId, trackId }, include })
      : null;
    if (!parent) throw new ServiceError(404, 'not_found', 'The comment you reply to does not exist', { parentId: 'Not found' });
    // Threads are one level deep: a reply to a reply joins the root thread, on the root's version and time.
    const rootId = parent.parentId ?? parent.id;
    if (parent.parentId) parent = await prisma.comment.findUniqueOrThrow({ where: { id: rootId }, include });
    parentId = rootId;
    assetId = parent.assetId;
    timeSeconds = null;
    endSeconds = null;
  } else {
    const asset = isWellFormedId(assetId) ? await prisma.asset.findFirst({ where: { id: assetId, trackId }, select: { id: true } }) : null;
    if (!asset) throw new ServiceError(404, 'not_found', 'That version is not part of this track', { assetId: 'Not found' });
  }
  const mentionIds = actor.kind === 'member' ? await resolveMentions(projectId, data.body) : [];
  let row: CommentRow;
  try {
    row = await prisma.comment.create({
      data: {
        trackId,
        assetId,
        parentId,
        body: data.body,
        timeSeconds,
        endSeconds,
        mentionIds,
        clientKey: data.clientKey ?? null,
        authorId: actor.kind === 'member' ? actor.userId : null,
        guestName: actor.kind === 'guest' ? actor.name : null,
        shareLinkId: actor.kind === 'guest' ? actor.shareLinkId : null,
      },
      include,
    });
  } catch (error) {
    if (data.clientKey && error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      const existing = await findByClientKey(trackId, data.clientKey, actor);
      if (existing) return { comment: existing, created: false };
    }
    throw error;
  }
  const comment = toCommentDto(row);
  await broadcastToTrack(projectId, trackId, 'comment:upserted', { projectId, trackId, comment }, { guests: true });
  await notifyAboutComment(actor, projectId, row, parent);
  return { comment, created: true };
}

async function findByClientKey(trackId: string, clientKey: string, actor: ReviewActor): Promise<CommentDto | null> {
  const row = await getPrisma().comment.findUnique({ where: { trackId_clientKey: { trackId, clientKey } }, include });
  if (!row) return null;
  const sameAuthor =
    actor.kind === 'member' ? row.authorId === actor.userId : row.shareLinkId === actor.shareLinkId && row.guestName === actor.name;
  if (!sameAuthor) throw new ServiceError(409, 'client_key_taken', 'That clientKey was used by someone else; pick a new one');
  return (await toDtos([row]))[0];
}

async function notifyAboutComment(actor: ReviewActor, projectId: string, row: CommentRow, parent: CommentRow | null) {
  const prisma = getPrisma();
  const track = await prisma.track.findUniqueOrThrow({ where: { id: row.trackId }, select: { title: true } });
  const authorId = actor.kind === 'member' ? actor.userId : null;
  const link = `/projects/${projectId}/tracks/${row.trackId}?comment=${row.id}`;
  const who = actorName(actor);
  const mentioned = row.mentionIds.filter((id) => id !== authorId);
  await notifyUsers(mentioned, { kind: 'mention', projectId, trackId: row.trackId, link, text: `${who} mentioned you on “${track.title}”: ${snippet(row.body)}` });
  let audience: string[];
  if (parent) {
    // Replies go to the thread's participants, not the whole project.
    const thread = await prisma.comment.findMany({ where: { OR: [{ id: parent.id }, { parentId: parent.id }] }, select: { authorId: true } });
    audience = thread.map((c) => c.authorId).filter((x): x is string => !!x);
  } else {
    const members = await prisma.membership.findMany({ where: { projectId }, select: { userId: true } });
    audience = members.map((m) => m.userId);
  }
  audience = audience.filter((id) => id !== authorId && !mentioned.includes(id));
  const at = row.timeSeconds != null ? ` at ${formatTimecode(row.timeSeconds)}` : '';
  const what = parent ? 'replied' : `commented${at}`;
  await notifyUsers(audience, { kind: 'comment', projectId, trackId: row.trackId, link, text: `${who} ${what} on “${track.title}”: ${snippet(row.body)}` });
}

async function memberComment(userId: string, commentId: string) {
  const row = isWellFormedId(commentId) ? await getPrisma().comment.findUnique({ where: { id: commentId }, include }) : null;
  if (!row) throw new ServiceError(404, 'not_found', 'Comment not found');
  try {
    const access = await requireTrackAction(userId, row.trackId, 'comment.write');
    return { row, access };
  } catch (error) {
    if (error instanceof ServiceError && error.status === 404) throw new ServiceError(404, 'not_found', 'Comment not found');
    throw error;
  }
}

/** Edit your own comment's text, or resolve/reopen any thread you can comment on. */
export async function updateComment(userId: string, commentId: string, input: unknown): Promise<CommentDto> {
  const { row, access } = await memberComment(userId, commentId);
  const change = validate(updateSchema, input);
  if (row.deletedAt) throw new ServiceError(409, 'deleted', 'This comment was deleted');
  const prisma = getPrisma();
  let updated: CommentRow;
  if ('body' in change) {
    if (row.authorId !== userId) throw new ServiceError(403, 'forbidden', 'You can only edit your own comments');
    const mentionIds = await resolveMentions(access.projectId, change.body);
    updated = await prisma.comment.update({ where: { id: row.id }, data: { body: change.body, mentionIds, editedAt: new Date() }, include });
    // Someone mentioned by the edit hears about it like a mention in a new comment; those mentioned before do not again.
    const added = mentionIds.filter((id) => id !== userId && !row.mentionIds.includes(id));
    if (added.length) {
      const track = await prisma.track.findUniqueOrThrow({ where: { id: row.trackId }, select: { title: true } });
      await notifyUsers(added, {
        kind: 'mention',
        projectId: access.projectId,
        trackId: row.trackId,
        link: `/projects/${access.projectId}/tracks/${row.trackId}?comment=${row.id}`,
        text: `${updated.author?.name ?? 'Someone'} mentioned you on “${track.title}”: ${snippet(change.body)}`,
      });
    }
  } else {
    if (row.parentId) throw new ServiceError(409, 'not_a_thread', 'Resolve the thread, not a reply');
    updated = await prisma.comment.update({
      where: { id: row.id },
      data: change.resolved ? { resolvedAt: new Date(), resolvedById: userId } : { resolvedAt: null, resolvedById: null },
      include,
    });
  }
  const comment = (await toDtos([updated]))[0];
  await broadcastToTrack(access.projectId, row.trackId, 'comment:upserted', { projectId: access.projectId, trackId: row.trackId, comment }, { guests: true });
  return comment;
}

/** Your own comments, or any as the owner. The row stays (replies keep their thread); its text is gone. */
export async function deleteComment(userId: string, commentId: string): Promise<void> {
  const { row, access } = await memberComment(userId, commentId);
  if (row.authorId !== userId && !roleAllows(access.role, ACTION_MIN_ROLE['comment.moderate'])) {
    throw new ServiceError(403, 'forbidden', 'You can only delete your own comments (the owner role can delete any)');
  }
  if (row.deletedAt) return;
  const updated = await getPrisma().comment.update({ where: { id: row.id }, data: { deletedAt: new Date(), body: '' }, include });
  const comment = toCommentDto(updated);
  await broadcastToTrack(access.projectId, row.trackId, 'comment:upserted', { projectId: access.projectId, trackId: row.trackId, comment }, { guests: true });
}

export async function createMemberComment(user: { id: string; name: string }, trackId: string, input: unknown) {
  const access = await requireTrackAction(user.id, trackId, 'comment.write');
  return createComment({ kind: 'member', userId: user.id, name: user.name, role: access.role }, access.projectId, trackId, input);
}
