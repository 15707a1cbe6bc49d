/**
 * Delivery metadata: the tags every rendered master carries (ID3v2 for MP3, Vorbis comments for FLAC,
 * LIST/INFO + bext + iXML for WAV). One shape for all formats so a release's tags cannot drift between files.
 */
import { z } from 'zod';

/** ISO 3901 ISRC: 2-letter country, 3 alphanumeric registrant, 2-digit year, 5-digit designation. */
const ISRC_COMPACT = /^[A-Z]{2}[A-Z0-9]{3}[0-9]{2}[0-9]{5}$/;
const ISRC_HYPHENATED = /^[A-Z]{2}-[A-Z0-9]{3}-[0-9]{2}-[0-9]{5}$/;

/**
 * Returns the 12-character upper-case form of an ISRC written with or without hyphens (the hyphenated form is
 * only for display; every tag format stores the compact one), or null when it is not a valid ISRC.
 */
export function normalizeIsrc(input: string): string | null {
  const s = input.trim().toUpperCase();
  if (ISRC_COMPACT.test(s)) return s;
  if (ISRC_HYPHENATED.test(s)) return s.replace(/-/g, '');
  return null;
}

/** `CC-XXX-YY-NNNNN` display form of a valid ISRC. */
export function formatIsrc(isrc: string): string {
  const n = normalizeIsrc(isrc);
  if (!n) throw new Error(`Not an ISRC: ${isrc}`);
  return `${n.slice(0, 2)}-${n.slice(2, 5)}-${n.slice(5, 7)}-${n.slice(7)}`;
}

export const isrcSchema = z
  .string()
  .transform((value, ctx) => {
    const n = normalizeIsrc(value);
    if (!n) {
      ctx.addIssue({
        code: 'custom',
        message: 'ISRC must look like CC-XXX-YY-NNNNN (country, registrant, year, designation), hyphens optional',
      });
      return z.NEVER;
    }
    return n;
  });

/** Loudness of the delivered file, recorded in the BWF bext chunk (EBU Tech 3285 v2) and nowhere else. */
export const deliveryLoudnessSchema = z.object({
  integratedLufs: z.number().finite(),
  loudnessRangeLu: z.number().finite().nonnegative(),
  maxTruePeakDbtp: z.number().finite(),
  maxMomentaryLufs: z.number().finite(),
  maxShortTermLufs: z.number().finite(),
});
export type DeliveryLoudness = z.infer<typeof deliveryLoudnessSchema>;

const tagText = (max: number) => z.string().trim().min(1).max(max);

export const trackMetadataSchema = z.object({
  title: tagText(250).optional(),
  artist: tagText(250).optional(),
  album: tagText(250).optional(),
  trackNumber: z.number().int().min(1).max(999).optional(),
  trackTotal: z.number().int().min(1).max(999).optional(),
  isrc: isrcSchema.optional(),
  year: z.number().int().min(1000).max(9999).optional(),
  /** Free text for WAV bext Description (max 256 bytes in the chunk) and comments. */
  comment: tagText(256).optional(),
  loudness: deliveryLoudnessSchema.optional(),
});

/** Parsed metadata: the ISRC, when present, is already the compact 12-character form. */
export type TrackMetadata = z.infer<typeof trackMetadataSchema>;
/** What callers may pass in (ISRC possibly hyphenated or lower case). */
export type TrackMetadataInput = z.input<typeof trackMetadataSchema>;

/** Name written into the encoder fields of every format. */
export const ENCODER_NAME = 'Mastering Room';
