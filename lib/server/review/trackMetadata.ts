import { z } from 'zod';
import { isrcSchema } from '@/lib/audio/metadata';
import { requireTrackAction } from '@/lib/server/access';
import { getPrisma } from '@/lib/server/db/client';
import { validate } from '@/lib/server/projects/validate';
import { emitProjectEvent } from '@/lib/server/realtime/emitter';
import { outdateDeliveriesOfTrack } from './deliveries';
import { broadcastToTrack } from './trackBroadcast';

/** An empty field clears the tag; the ISRC is validated and stored in its compact form. */
const optionalText = (max: number, what: string) =>
  z
    .string()
    .trim()
    .max(max, `${what} must be at most ${max} characters`)
    .transform((s) => s || null)
    .nullable()
    .optional();

const metadataSchema = z.object({
  title: z.string().trim().min(1, 'Title is required').max(200, 'Title must be at most 200 characters').optional(),
  artist: optionalText(250, 'Artist'),
  album: optionalText(250, 'Album'),
  // An empty field clears the ISRC; anything else must be a valid one (with the rule's own message).
  isrc: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? null : v), isrcSchema.nullable()).optional(),
  year: z.number().int().min(1000, 'Year must have four digits').max(9999, 'Year must have four digits').nullable().optional(),
});

export interface TrackMetadataDto {
  title: string;
  artist: string | null;
  album: string | null;
  isrc: string | null;
  year: number | null;
}

export async function getTrackMetadata(userId: string, trackId: string): Promise<TrackMetadataDto> {
  await requireTrackAction(userId, trackId, 'project.view');
  return getPrisma().track.findUniqueOrThrow({ where: { id: trackId }, select: { title: true, artist: true, album: true, isrc: true, year: true } });
}

/** The tags the export job writes into every delivery file (title, artist, album, ISRC, year). */
export async function updateTrackMetadata(userId: string, trackId: string, input: unknown): Promise<TrackMetadataDto> {
  const { projectId } = await requireTrackAction(userId, trackId, 'track.edit');
  const data = validate(metadataSchema, input);
  const before = await getPrisma().track.findUniqueOrThrow({ where: { id: trackId }, select: { title: true, artist: true, album: true, isrc: true, year: true } });
  const updated = await getPrisma().track.update({
    where: { id: trackId },
    data,
    select: { title: true, artist: true, album: true, isrc: true, year: true },
  });
  await broadcastToTrack(projectId, trackId, 'trackMetadata:updated', { projectId, trackId }, { guests: false });
  const tags = ['title', 'artist', 'album', 'isrc', 'year'] as const;
  if (tags.some((k) => before[k] !== updated[k])) await outdateDeliveriesOfTrack(userId, projectId, trackId);
  if (data.title) {
    await emitProjectEvent(projectId, 'track:updated', { projectId, trackId, title: updated.title });
  }
  return updated;
}
