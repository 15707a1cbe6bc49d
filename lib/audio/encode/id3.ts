/**
 * ID3v2.4 tag writer (UTF-8 text frames). Hand-written: the format is a few dozen lines, and node-id3 reaches for
 * fs and Buffer, which lib/audio must not depend on. TSRC carries the ISRC.
 */
import { ENCODER_NAME, type TrackMetadata } from '../metadata';

/** 28-bit "syncsafe" integer: 7 bits per byte so a tag size can never look like an MPEG sync word. */
function syncsafe(target: Uint8Array, offset: number, value: number): void {
  if (value >= 1 << 28) throw new Error('ID3v2 tag too large');
  target[offset] = (value >>> 21) & 0x7f;
  target[offset + 1] = (value >>> 14) & 0x7f;
  target[offset + 2] = (value >>> 7) & 0x7f;
  target[offset + 3] = value & 0x7f;
}

export function id3TextFrames(m: TrackMetadata): [string, string][] {
  const frames: [string, string][] = [];
  if (m.title) frames.push(['TIT2', m.title]);
  if (m.artist) frames.push(['TPE1', m.artist]);
  if (m.album) frames.push(['TALB', m.album]);
  if (m.trackNumber !== undefined) {
    frames.push(['TRCK', m.trackTotal !== undefined ? `${m.trackNumber}/${m.trackTotal}` : String(m.trackNumber)]);
  }
  if (m.year !== undefined) frames.push(['TDRC', String(m.year)]);
  if (m.isrc) frames.push(['TSRC', m.isrc]);
  frames.push(['TSSE', ENCODER_NAME]);
  return frames;
}

/** Padding lets taggers edit in place without rewriting the audio. */
const PADDING_BYTES = 1024;

export function buildId3v2Tag(m: TrackMetadata): Uint8Array {
  const utf8 = new TextEncoder();
  const bodies: Uint8Array[] = [];
  for (const [id, text] of id3TextFrames(m)) {
    const content = utf8.encode(text);
    const frame = new Uint8Array(10 + 1 + content.length);
    for (let i = 0; i < 4; i++) frame[i] = id.charCodeAt(i);
    syncsafe(frame, 4, 1 + content.length);
    frame[10] = 0x03; // UTF-8
    frame.set(content, 11);
    bodies.push(frame);
  }
  if (m.comment) {
    // COMM: encoding, 3-byte language, empty NUL-terminated description, text.
    const content = utf8.encode(m.comment);
    const frame = new Uint8Array(10 + 5 + content.length);
    frame.set([0x43, 0x4f, 0x4d, 0x4d]);
    syncsafe(frame, 4, 5 + content.length);
    frame.set([0x03, 0x65, 0x6e, 0x67, 0x00], 10); // UTF-8, "eng", ""
    frame.set(content, 15);
    bodies.push(frame);
  }
  const size = bodies.reduce((s, b) => s + b.length, 0) + PADDING_BYTES;
  const tag = new Uint8Array(10 + size);
  tag.set([0x49, 0x44, 0x33, 4, 0, 0]); // "ID3" v2.4.0, no flags
  syncsafe(tag, 6, size);
  let p = 10;
  for (const b of bodies) {
    tag.set(b, p);
    p += b.length;
  }
  return tag;
}
