// Delivery tags from the Track row. A tag that would not pass the encoders' schema (e.g. a malformed ISRC typed
// before validation existed) is dropped rather than failing a render.
import { trackMetadataSchema, type TrackMetadata } from '../lib/audio/metadata';

export interface TrackTagFields {
  title: string;
  artist: string | null;
  album: string | null;
  isrc: string | null;
  trackNumber: number | null;
  year: number | null;
}

export function trackMetadataOf(track: TrackTagFields): TrackMetadata {
  const candidate: Record<string, unknown> = {
    title: track.title,
    artist: track.artist ?? undefined,
    album: track.album ?? undefined,
    isrc: track.isrc ?? undefined,
    trackNumber: track.trackNumber ?? undefined,
    year: track.year ?? undefined,
  };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(candidate)) {
    if (value === undefined || value === '') continue;
    const single = trackMetadataSchema.safeParse({ [key]: value });
    if (single.success) Object.assign(out, single.data);
  }
  return out as TrackMetadata;
}
