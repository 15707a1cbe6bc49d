/**
 * Just enough ISO-BMFF (MP4/M4A/MOV) box walking to find the audio track's codec, rate, channels, exact (gapless)
 * length, and to put the index (moov) in front of the media so a decoder can read the file from a pipe.
 */
import { AudioFormatError } from '../types';

export interface Mp4AudioTrack {
  codec: string;
  sampleRate: number;
  channelCount: number;
  bitsPerSample?: number;
  /** Media duration in samples of the track's timescale, converted to seconds (includes codec priming). */
  durationSeconds: number;
  /** Frames the sample table (stts) spans at `sampleRate`: what a decoder outputs before gapless trimming, give or
   * take the padding of the last codec frame. */
  sampleTableFrames: number;
  /** Frames to drop at the start (encoder priming) and to keep after them; from the edit list, else iTunSMPB, else
   * the whole sample table. */
  gapless: { skipFrames: number; keepFrames: number; source: 'elst' | 'iTunSMPB' | 'none' };
}

export interface Box {
  type: string;
  start: number;
  body: number;
  end: number;
}

/** Boxes in [start, end); the walk stops at the end of `b` (which may be only the head of the file). */
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
    if (size < body - pos) throw new AudioFormatError(`corrupt MP4: box '${printable(type)}' has an impossible size ${size}`);
    yield { type, start: pos, body, end: pos + size };
    pos += size;
  }
}

const printable = (s: string) => s.replace(/[^\x20-\x7e]/g, '?');

function child(b: Uint8Array, parent: Box, type: string): Box | null {
  for (const box of boxes(b, parent.body, Math.min(parent.end, b.length))) if (box.type === type) return box;
  return null;
}

function path(b: Uint8Array, from: Box | null, ...types: string[]): Box | null {
  let box = from;
  for (const type of types) box = box && child(b, box, type);
  return box;
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
  try {
    return readAudioTrackUnchecked(b, moov);
  } catch (e) {
    // A box whose declared size runs past its parent makes a field read fall off the buffer.
    if (e instanceof RangeError) throw new AudioFormatError('corrupt MP4: a box of the index runs past its end');
    throw e;
  }
}

function readAudioTrackUnchecked(b: Uint8Array, moov: Box): Mp4AudioTrack {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let otherCodec: string | null = null;
  for (const trak of boxes(b, moov.body, moov.end)) {
    if (trak.type !== 'trak') continue;
    const mdia = child(b, trak, 'mdia');
    const hdlr = mdia && child(b, mdia, 'hdlr');
    if (!mdia || !hdlr || String.fromCharCode(...b.subarray(hdlr.body + 8, hdlr.body + 12)) !== 'soun') continue;
    const mdhd = child(b, mdia, 'mdhd');
    const stbl = path(b, mdia, 'minf', 'stbl');
    const stsd = stbl && child(b, stbl, 'stsd');
    if (!mdhd || !stbl || !stsd) throw new AudioFormatError('corrupt MP4: audio track lacks its sample description');
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
    let codec: string;
    if (entry.type === 'alac') {
      codec = 'alac';
      const cookie = boxes(b, childrenStart, entry.end).next().value as Box | undefined;
      if (cookie && cookie.type === 'alac' && cookie.body + 28 <= cookie.end) {
        const c = cookie.body + 4;
        bitsPerSample = b[c + 5];
        channelCount = b[c + 9];
        sampleRate = view.getUint32(c + 20, false);
      }
    } else if (entry.type === 'mp4a') {
      codec = 'aac';
      let esds: Box | null = null;
      for (const box of boxes(b, childrenStart, Math.min(entry.end, b.length))) if (box.type === 'esds') esds = box;
      const config = esds && readAacConfig(b, esds);
      if (config) {
        if (config.objectType === 'mp3') throw new AudioFormatError('MP3 audio inside an MP4 file is not supported; use plain .mp3');
        // HE-AAC signalled explicitly decodes at the SBR rate, and PS to stereo; the sample entry names the core.
        if (config.sampleRate) sampleRate = config.sampleRate;
        // Encoders (ffmpeg among them) write 2 in the sample entry even for 5.1; the decoder follows the config.
        if (config.channelCount) channelCount = config.channelCount;
        if (config.parametricStereo) channelCount = 2;
      }
    } else {
      otherCodec = entry.type;
      continue;
    }
    const toFrames = (ticks: number, scale: number) => (scale > 0 && sampleRate > 0 ? Math.round((ticks * sampleRate) / scale) : NaN);
    const sampleTableFrames = toFrames(sttsTotal(b, child(b, stbl, 'stts')), timescale);
    const mvhd = child(b, moov, 'mvhd');
    const movieTimescale = mvhd ? view.getUint32(mvhd.body + (b[mvhd.body] === 1 ? 20 : 12), false) : 0;
    const gapless = readGapless(b, trak, moov, sampleTableFrames, (t) => toFrames(t, timescale), (t) => toFrames(t, movieTimescale));
    return { codec, sampleRate, channelCount, ...(bitsPerSample ? { bitsPerSample } : {}), durationSeconds, sampleTableFrames, gapless };
  }
  if (otherCodec) {
    throw new AudioFormatError(`MP4 audio codec '${printable(otherCodec)}' is not supported; use AAC or ALAC`);
  }
  throw new AudioFormatError('MP4 file has no audio track');
}

/** Sum of the time-to-sample table in media timescale units; NaN when the table is missing. */
function sttsTotal(b: Uint8Array, stts: Box | null): number {
  if (!stts) return NaN;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const end = Math.min(stts.end, b.length);
  const count = Math.min(view.getUint32(stts.body + 4, false), Math.floor((end - stts.body - 8) / 8));
  let total = 0;
  for (let i = 0, p = stts.body + 8; i < count; i++, p += 8) total += view.getUint32(p, false) * view.getUint32(p + 4, false);
  return total;
}

/**
 * Where the real audio starts and how long it is. The edit list is the standard (ffmpeg and Apple write it); its
 * duration is in the movie timescale, often milliseconds, so the sample table (whose last entry ffmpeg shortens to
 * the real end) bounds it. iTunSMPB is the older iTunes convention, used when the edit list says nothing.
 */
function readGapless(
  b: Uint8Array,
  trak: Box,
  moov: Box,
  tableFrames: number,
  mediaToFrames: (t: number) => number,
  movieToFrames: (t: number) => number,
): Mp4AudioTrack['gapless'] {
  const whole = { skipFrames: 0, keepFrames: tableFrames, source: 'none' as const };
  const elst = path(b, trak, 'edts', 'elst');
  const edit = elst && readEdit(b, elst);
  if (edit && Number.isFinite(tableFrames)) {
    const skipFrames = Math.min(mediaToFrames(edit.mediaTime), tableFrames);
    const rest = tableFrames - skipFrames;
    const keepFrames = edit.duration > 0 ? Math.min(movieToFrames(edit.duration), rest) : rest;
    if (skipFrames > 0 || keepFrames < tableFrames) return { skipFrames, keepFrames, source: 'elst' };
  }
  const smpb = readITunSmpb(b, moov);
  if (smpb && Number.isFinite(tableFrames) && smpb.delay + smpb.frames <= tableFrames + 2048) {
    return { skipFrames: smpb.delay, keepFrames: Math.min(smpb.frames, tableFrames - smpb.delay), source: 'iTunSMPB' };
  }
  return whole;
}

/** The edit list as one span of media. Leading empty edits (a presentation delay) are ignored: mastering trims
 * silence anyway. Consecutive edits that continue each other merge; a real cut list keeps only its first span. */
function readEdit(b: Uint8Array, elst: Box): { mediaTime: number; duration: number } | null {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const v1 = b[elst.body] === 1;
  const size = v1 ? 20 : 12;
  const end = Math.min(elst.end, b.length);
  const count = Math.min(view.getUint32(elst.body + 4, false), Math.floor((end - elst.body - 8) / size));
  let span: { mediaTime: number; duration: number } | null = null;
  for (let i = 0, p = elst.body + 8; i < count; i++, p += size) {
    const duration = v1 ? view.getUint32(p, false) * 2 ** 32 + view.getUint32(p + 4, false) : view.getUint32(p, false);
    const mediaTime = v1 ? Number(view.getBigInt64(p + 8, false)) : view.getInt32(p + 4, false);
    if (mediaTime < 0) {
      if (span) break;
      continue;
    }
    if (!span) span = { mediaTime, duration };
    else break;
  }
  return span;
}

/** iTunes' gapless tag: " 00000000 <delay> <padding> <frames> …" in hex, in moov/udta/meta/ilst/----. */
function readITunSmpb(b: Uint8Array, moov: Box): { delay: number; frames: number } | null {
  const meta = path(b, moov, 'udta', 'meta');
  if (!meta) return null;
  // iTunes' meta is a full box (4 bytes of version/flags before its children); QuickTime's is not.
  const skip = String.fromCharCode(...b.subarray(meta.body + 4, meta.body + 8)) === 'hdlr' ? 0 : 4;
  const ilst = child(b, { ...meta, body: meta.body + skip }, 'ilst');
  if (!ilst) return null;
  for (const item of boxes(b, ilst.body, Math.min(ilst.end, b.length))) {
    if (item.type !== '----') continue;
    let name = '';
    let value = '';
    for (const part of boxes(b, item.body, Math.min(item.end, b.length))) {
      const text = () => String.fromCharCode(...b.subarray(part.body + (part.type === 'data' ? 8 : 4), Math.min(part.end, b.length)));
      if (part.type === 'name') name = text();
      if (part.type === 'data') value = text();
    }
    if (name !== 'iTunSMPB') continue;
    const f = value.trim().split(/\s+/);
    const delay = parseInt(f[1], 16);
    const frames = parseInt(f[3], 16);
    if (f.length >= 4 && Number.isFinite(delay) && Number.isFinite(frames) && frames > 0) return { delay, frames };
  }
  return null;
}

const AAC_CHANNELS = [0, 1, 2, 3, 4, 5, 6, 8, 0, 0, 0, 7, 8, 24, 8, 0];
const AAC_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/** The AudioSpecificConfig inside esds, as far as rate and channel layout go. Null when absent or unreadable. */
function readAacConfig(
  b: Uint8Array,
  esds: Box,
): { objectType: 'aac' | 'mp3'; sampleRate?: number; channelCount?: number; parametricStereo: boolean } | null {
  const end = Math.min(esds.end, b.length);
  let p = esds.body + 4;
  const descriptor = (): { tag: number; body: number; end: number } | null => {
    if (p + 2 > end) return null;
    const tag = b[p++];
    let len = 0;
    for (let i = 0; i < 4 && p < end; i++) {
      const c = b[p++];
      len = (len << 7) | (c & 0x7f);
      if (!(c & 0x80)) break;
    }
    return { tag, body: p, end: Math.min(p + len, end) };
  };
  const es = descriptor();
  if (!es || es.tag !== 0x03) return null;
  const flags = b[es.body + 2];
  p = es.body + 3 + (flags & 0x80 ? 2 : 0) + (flags & 0x20 ? 2 : 0);
  if (flags & 0x40) p += 1 + b[p];
  const dc = descriptor();
  if (!dc || dc.tag !== 0x04 || dc.body + 13 > dc.end) return null;
  const oti = b[dc.body];
  if (oti === 0x69 || oti === 0x6b) return { objectType: 'mp3', parametricStereo: false };
  p = dc.body + 13;
  const dsi = descriptor();
  if (!dsi || dsi.tag !== 0x05 || dsi.end - dsi.body < 2) return { objectType: 'aac', parametricStereo: false };
  // A bit reader over the AudioSpecificConfig (ISO 14496-3 1.6.2.1).
  let bit = dsi.body * 8;
  const read = (n: number) => {
    let v = 0;
    for (let i = 0; i < n; i++, bit++) v = (v << 1) | (bit >> 3 < dsi.end ? (b[bit >> 3] >> (7 - (bit & 7))) & 1 : 0);
    return v;
  };
  const objectType = () => {
    const t = read(5);
    return t === 31 ? 32 + read(6) : t;
  };
  const rate = () => {
    const i = read(4);
    return i === 15 ? read(24) : AAC_RATES[i];
  };
  const aot = objectType();
  const coreRate = rate();
  // Channel configuration (ISO 14496-3 table 1.19; 11-14 from later amendments); 0 means a program config element
  // defines the layout, and then the sample entry's count is all we have.
  const channelCount = AAC_CHANNELS[read(4)] || undefined;
  if (aot === 5 || aot === 29) {
    return { objectType: 'aac', sampleRate: rate(), channelCount, parametricStereo: aot === 29 };
  }
  return { objectType: 'aac', sampleRate: coreRate, channelCount, parametricStereo: false };
}

/**
 * The file as segments whose concatenation has the moov box before the media, with chunk offsets moved to match,
 * so a decoder reading a pipe never has to seek back for the index. Returns [b] when the moov is already first.
 * Only the moov is copied; the media stays in place.
 */
export function moovFirstSegments(b: Uint8Array): Uint8Array[] {
  const top = [...boxes(b, 0, b.length)];
  const moov = top.find((box) => box.type === 'moov');
  if (!moov || moov.end > b.length) throw new AudioFormatError('truncated MP4: the index (moov box) is missing or cut off');
  const firstMdat = top.find((box) => box.type === 'mdat');
  if (!firstMdat || firstMdat.start > moov.start) return [b];
  const insertAt = firstMdat.start;
  const moovSize = moov.end - moov.start;
  // A fresh copy: on a Node Buffer, slice() would be a view and the patching below would write into the caller's file.
  const moved = new Uint8Array(moovSize);
  moved.set(b.subarray(moov.start, moov.end));
  const movedBox: Box = { type: 'moov', start: 0, body: moov.body - moov.start, end: moovSize };
  const view = new DataView(moved.buffer, moved.byteOffset, moved.byteLength);
  // Data between the insertion point and the old moov moves down by the moov's size; data after it stays.
  const shift = (offset: number) => (offset >= insertAt && offset < moov.start ? offset + moovSize : offset);
  for (const trak of boxes(moved, movedBox.body, movedBox.end)) {
    if (trak.type !== 'trak') continue;
    const stbl = path(moved, trak, 'mdia', 'minf', 'stbl');
    if (!stbl) continue;
    for (const table of boxes(moved, stbl.body, stbl.end)) {
      if (table.type !== 'stco' && table.type !== 'co64') continue;
      const wide = table.type === 'co64';
      const size = wide ? 8 : 4;
      const count = Math.min(view.getUint32(table.body + 4, false), Math.floor((table.end - table.body - 8) / size));
      for (let i = 0, p = table.body + 8; i < count; i++, p += size) {
        if (wide) view.setBigUint64(p, BigInt(shift(Number(view.getBigUint64(p, false)))), false);
        else {
          const moved32 = shift(view.getUint32(p, false));
          if (moved32 > 0xffffffff) throw new AudioFormatError('MP4 file too large to read without seeking (over 4 GB)');
          view.setUint32(p, moved32, false);
        }
      }
    }
  }
  return [b.subarray(0, insertAt), moved, b.subarray(insertAt, moov.start), b.subarray(moov.end)];
}
