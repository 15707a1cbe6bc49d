/**
 * Just enough ISO-BMFF (MP4/M4A/MOV) box walking to find the audio track's codec, rate, channels and duration.
 */
import { AudioFormatError } from '../types';

export interface Mp4AudioTrack {
  codec: string;
  sampleRate: number;
  channelCount: number;
  bitsPerSample?: number;
  /** Media duration in samples of the track's timescale, converted to seconds (includes codec priming). */
  durationSeconds: number;
}

interface Box {
  type: string;
  start: number;
  body: number;
  end: number;
}

/** Top-level boxes; the walk stops at the end of `b` (which may be only the head of the file). */
function* boxes(b: Uint8Array, start: number, end: number): Generator<Box> {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let pos = start;
  while (pos + 8 <= end) {
    let size = view.getUint32(pos, false);
    const type = String.fromCharCode(b[pos + 4], b[pos + 5], b[pos + 6], b[pos + 7]);
    let body = pos + 8;
    if (size === 1) {
      if (pos + 16 > end) return;
      size = view.getUint32(pos + 8, false) * 2 ** 32 + view.getUint32(pos + 12, false);
      body = pos + 16;
    } else if (size === 0) size = end - pos;
    if (size < body - pos) throw new AudioFormatError(`corrupt MP4: box '${type}' has an impossible size ${size}`);
    yield { type, start: pos, body, end: pos + size };
    pos += size;
  }
}

function child(b: Uint8Array, parent: Box, type: string): Box | null {
  for (const box of boxes(b, parent.body, Math.min(parent.end, b.length))) if (box.type === type) return box;
  return null;
}

/** Finds the moov box in `b`; returns null when the moov is not (entirely) inside the bytes given. */
export function findMoov(b: Uint8Array): Box | null {
  for (const box of boxes(b, 0, b.length)) {
    if (box.type === 'moov') return box.end <= b.length ? box : null;
  }
  return null;
}

/** Reads the first sound track of a complete moov box. Throws when the file has no usable audio track. */
export function readAudioTrack(b: Uint8Array, moov: Box): Mp4AudioTrack {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let otherCodec: string | null = null;
  for (const trak of boxes(b, moov.body, moov.end)) {
    if (trak.type !== 'trak') continue;
    const mdia = child(b, trak, 'mdia');
    const hdlr = mdia && child(b, mdia, 'hdlr');
    if (!mdia || !hdlr || String.fromCharCode(...b.subarray(hdlr.body + 8, hdlr.body + 12)) !== 'soun') continue;
    const mdhd = child(b, mdia, 'mdhd');
    const stsd = (() => {
      const minf = child(b, mdia, 'minf');
      const stbl = minf && child(b, minf, 'stbl');
      return stbl && child(b, stbl, 'stsd');
    })();
    if (!mdhd || !stsd) throw new AudioFormatError('corrupt MP4: audio track lacks its sample description');
    const v1 = b[mdhd.body] === 1;
    const timescale = view.getUint32(mdhd.body + (v1 ? 20 : 12), false);
    const duration = v1
      ? view.getUint32(mdhd.body + 24, false) * 2 ** 32 + view.getUint32(mdhd.body + 28, false)
      : view.getUint32(mdhd.body + 16, false);
    const entry = boxes(b, stsd.body + 8, stsd.end).next().value as Box | undefined;
    if (!entry) throw new AudioFormatError('corrupt MP4: empty sample description');
    const soundVersion = view.getUint16(entry.body + 8, false);
    let channelCount = view.getUint16(entry.body + 16, false);
    let sampleRate = view.getUint32(entry.body + 24, false) / 65536;
    let bitsPerSample: number | undefined;
    const childrenStart = entry.body + 28 + (soundVersion === 1 ? 16 : soundVersion === 2 ? 36 : 0);
    if (soundVersion === 2) {
      sampleRate = view.getFloat64(entry.body + 32, false);
      channelCount = view.getUint32(entry.body + 40, false);
    }
    const durationSeconds = timescale > 0 ? duration / timescale : NaN;
    if (entry.type === 'alac') {
      const cookie = boxes(b, childrenStart, entry.end).next().value as Box | undefined;
      if (cookie && cookie.type === 'alac' && cookie.body + 28 <= cookie.end) {
        const c = cookie.body + 4;
        bitsPerSample = b[c + 5];
        channelCount = b[c + 9];
        sampleRate = view.getUint32(c + 20, false);
      }
      return { codec: 'alac', sampleRate, channelCount, bitsPerSample, durationSeconds };
    }
    if (entry.type === 'mp4a') return { codec: 'aac', sampleRate, channelCount, durationSeconds };
    otherCodec = entry.type;
  }
  if (otherCodec) {
    throw new AudioFormatError(`MP4 audio codec '${otherCodec.replace(/[^\x20-\x7e]/g, '?')}' is not supported; use AAC or ALAC`);
  }
  throw new AudioFormatError('MP4 file has no audio track');
}
