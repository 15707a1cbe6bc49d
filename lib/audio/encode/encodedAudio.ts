/**
 * What every encoder returns: the file as a list of byte chunks (a 60-minute 96 kHz master is gigabytes; callers
 * stream the chunks to disk instead of holding one contiguous copy) plus what a download needs to know.
 */
export interface EncodedAudio {
  chunks: Uint8Array[];
  byteLength: number;
  mimeType: string;
  /** Without the dot: "wav", "flac", "mp3". */
  fileExtension: string;
  /** Frames (samples per channel) a gapless decoder returns. */
  frames: number;
  sampleRate: number;
}

/** Joins the chunks into one buffer (tests, small files). */
export function encodedBytes(encoded: EncodedAudio): Uint8Array {
  if (encoded.chunks.length === 1) return encoded.chunks[0];
  const out = new Uint8Array(encoded.byteLength);
  let offset = 0;
  for (const c of encoded.chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
