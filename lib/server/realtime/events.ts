import { z } from 'zod';
import { reviewServerEventSchemas } from '@/lib/server/review/reviewEvents';

/**
 * Every socket.io event, both directions, as zod schemas. Servers validate what clients send; emitProjectEvent
 * validates what any process (web or worker) broadcasts, so a browser only ever sees these shapes.
 */

const id = z.string().min(1).max(64);

export const jobStateSchema = z.enum(['queued', 'active', 'completed', 'failed', 'cancelled']);

export const formatFactsSchema = z.object({
  container: z.string().nullable().optional(),
  codec: z.string().nullable().optional(),
  sampleRate: z.number().int().nullable().optional(),
  channels: z.number().int().nullable().optional(),
  bitsPerSample: z.number().int().nullable().optional(),
  durationSeconds: z.number().nullable().optional(),
});

export const assetSummarySchema = formatFactsSchema.extend({
  id,
  trackId: id,
  kind: z.enum(['mix', 'reference', 'master']),
  version: z.number().int().positive(),
  originalName: z.string(),
  byteSize: z.number().nonnegative(),
  sha256: z.string(),
  status: z.enum(['uploaded', 'analyzing', 'ready', 'failed']),
  error: z.string().nullable().optional(),
  createdAt: z.string(),
});
export type AssetSummary = z.infer<typeof assetSummarySchema>;

/** Server -> browser, broadcast to the `project:<id>` room. */
export const serverEventSchemas = {
  'job:progress': z.object({
    jobId: id,
    projectId: id,
    trackId: id.nullable().optional(),
    assetId: id.nullable().optional(),
    type: z.string().max(32),
    state: jobStateSchema,
    progress: z.number().min(0).max(100),
    step: z.string().max(200).nullable().optional(),
    error: z.string().max(2000).nullable().optional(),
  }),
  'asset:created': z.object({ projectId: id, asset: assetSummarySchema }),
  'asset:updated': formatFactsSchema.extend({
    projectId: id,
    trackId: id,
    assetId: id,
    status: z.enum(['uploaded', 'analyzing', 'ready', 'failed']),
    error: z.string().max(2000).nullable().optional(),
  }),
  'track:created': z.object({ projectId: id, trackId: id, title: z.string() }),
  'track:updated': z.object({ projectId: id, trackId: id, title: z.string() }),
  'track:deleted': z.object({ projectId: id, trackId: id }),
  'project:updated': z.object({ projectId: id, name: z.string() }),
  'project:deleted': z.object({ projectId: id }),
  'members:changed': z.object({ projectId: id }),
  ...reviewServerEventSchemas,
} as const;

export type ServerEventName = keyof typeof serverEventSchemas;
export type ServerEventPayload<E extends ServerEventName> = z.input<(typeof serverEventSchemas)[E]>;

/** Browser -> server. Each names the role it needs; the socket server checks it on every event. */
export const clientEventSchemas = {
  'project:join': z.object({ projectId: id }),
  'project:leave': z.object({ projectId: id }),
  /** Enter/leave a track's review room: presence (who is listening) is counted per track. */
  'track:join': z.object({ projectId: id, trackId: id }),
  'track:leave': z.object({ projectId: id, trackId: id }),
} as const;

export type ClientEventName = keyof typeof clientEventSchemas;

export const CLIENT_EVENT_MIN_ROLE: Record<ClientEventName, 'viewer' | 'artist' | 'engineer' | 'owner'> = {
  'project:join': 'viewer',
  'project:leave': 'viewer',
  'track:join': 'viewer',
  'track:leave': 'viewer',
};

export type Ack = { ok: true } | { ok: false; status: number; error: string };

export function projectRoom(projectId: string): string {
  return `project:${projectId}`;
}

/** Socket.io server-side rooms for a user, so membership changes can evict their sockets. */
export function userRoom(userId: string): string {
  return `user:${userId}`;
}
