import { z } from 'zod';

/**
 * Shapes of the review room's realtime events (comments, chat, presence, approvals, deliveries, notifications).
 * Registered in lib/server/realtime/events.ts with the rest, so emitters validate them like every other event.
 * Each change is sent as the whole row ("upserted"): clients merge by id and keep the newest updatedAt, so an event
 * that arrives twice or late (after a reconnect refetch) can never roll a comment back.
 */
const id = z.string().min(1).max(64);
const isoDate = z.string().max(40);

export const personSchema = z.object({ id, name: z.string().max(200) });

export const commentDtoSchema = z.object({
  id,
  trackId: id,
  assetId: id,
  parentId: id.nullable(),
  author: personSchema.nullable(),
  guestName: z.string().max(80).nullable(),
  body: z.string().max(20_000),
  mentionIds: z.array(id).max(50),
  timeSeconds: z.number().nullable(),
  endSeconds: z.number().nullable(),
  resolvedAt: isoDate.nullable(),
  resolvedBy: z.string().max(200).nullable(),
  editedAt: isoDate.nullable(),
  deletedAt: isoDate.nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
  clientKey: z.string().max(80).nullable(),
});
export type CommentDto = z.infer<typeof commentDtoSchema>;

export const chatMessageDtoSchema = z.object({
  id,
  trackId: id,
  author: personSchema.nullable(),
  guestName: z.string().max(80).nullable(),
  body: z.string().max(20_000),
  mentionIds: z.array(id).max(50),
  deletedAt: isoDate.nullable(),
  createdAt: isoDate,
  updatedAt: isoDate,
  clientKey: z.string().max(80).nullable(),
});
export type ChatMessageDto = z.infer<typeof chatMessageDtoSchema>;

export const presenceEntrySchema = z.object({
  key: z.string().max(120),
  name: z.string().max(200),
  kind: z.enum(['member', 'guest']),
  tabs: z.number().int().positive(),
});
export type PresenceEntry = z.infer<typeof presenceEntrySchema>;

export const approvalDtoSchema = z.object({
  id,
  assetId: id,
  user: personSchema,
  createdAt: isoDate,
  /** Revocable until the first delivery file is downloaded. */
  revocable: z.boolean(),
});
export type ApprovalDto = z.infer<typeof approvalDtoSchema>;

export const notificationDtoSchema = z.object({
  id,
  kind: z.enum(['comment', 'mention', 'version', 'approval', 'chat']),
  text: z.string().max(500),
  link: z.string().max(500).nullable(),
  projectId: id.nullable(),
  trackId: id.nullable(),
  readAt: isoDate.nullable(),
  createdAt: isoDate,
});
export type NotificationDto = z.infer<typeof notificationDtoSchema>;

export const reviewServerEventSchemas = {
  'comment:upserted': z.object({ projectId: id, trackId: id, comment: commentDtoSchema }),
  'chat:upserted': z.object({ projectId: id, trackId: id, message: chatMessageDtoSchema }),
  'presence:changed': z.object({ projectId: id, trackId: id, people: z.array(presenceEntrySchema).max(500) }),
  'approval:changed': z.object({ projectId: id, trackId: id, assetId: id, approval: approvalDtoSchema.nullable() }),
  'export:changed': z.object({ projectId: id, trackId: id, assetId: id }),
  'trackMetadata:updated': z.object({ projectId: id, trackId: id }),
  /** Sent to the user's own room only. */
  'notification:new': z.object({ projectId: id.nullable(), notification: notificationDtoSchema }),
} as const;

/** Rooms of the review room. Guests never join project rooms: they only get their one track's comments and presence. */
export function guestTrackRoom(trackId: string): string {
  return `guest-track:${trackId}`;
}
export function shareLinkRoom(shareLinkId: string): string {
  return `share:${shareLinkId}`;
}
export function presenceRoom(trackId: string): string {
  return `presence:${trackId}`;
}
