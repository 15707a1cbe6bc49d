/**
 * MPEG-1/2/2.5 audio frame headers, ID3v2 skipping and the Xing/Info + LAME tag, which carries the encoder delay and
 * padding needed to cut an MP3 back to exactly the source's length (gapless).
 */

export interface MpegFrameHeader {
  version: 1 | 2 | 2.5;
  layer: 1 | 2 | 3;
  bitrateKbps: number;
  sampleRate: number;
  channelCount: 1 | 2;
  samplesPerFrame: number;
  frameBytes: number;
}

const BITRATES_KBPS: Record<string, number[]> = {
  '1-1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '1-2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1-3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2-1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  '2-2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  '2-3': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const SAMPLE_RATES: Record<string, number[]> = {
  '1': [44100, 48000, 32000],
  '2': [22050, 24000, 16000],
  '2.5': [11025, 12000, 8000],
};

/** The delay of the MP3 synthesis filterbank that LAME's encoder-delay field does not include (528 + 1). */
export const MP3_DECODER_DELAY = 529;

export function parseMpegFrameHeader(b: Uint8Array, offset: number): MpegFrameHeader | null {
  if (offset + 4 > b.length) return null;
  if (b[offset] !== 0xff || (b[offset + 1] & 0xe0) !== 0xe0) return null;
  const versionBits = (b[offset + 1] >> 3) & 3;
  const layerBits = (b[offset + 1] >> 1) & 3;
  const bitrateIndex = b[offset + 2] >> 4;
  const rateIndex = (b[offset + 2] >> 2) & 3;
  if (versionBits === 1 || layerBits === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return null;
  const version = versionBits === 3 ? 1 : versionBits === 2 ? 2 : 2.5;
  const layer = (4 - layerBits) as 1 | 2 | 3;
  const bitrateKbps = BITRATES_KBPS[`${version === 1 ? 1 : 2}-${layer}`][bitrateIndex];
  const sampleRate = SAMPLE_RATES[String(version)][rateIndex];
  const padding = (b[offset + 2] >> 1) & 1;
  const channelCount = (b[offset + 3] >> 6) === 3 ? 1 : 2;
  const samplesPerFrame = layer === 1 ? 384 : layer === 3 && version !== 1 ? 576 : 1152;
  const frameBytes =
    layer === 1
      ? Math.floor((12 * bitrateKbps * 1000) / sampleRate + padding) * 4
      : Math.floor(((samplesPerFrame / 8) * bitrateKbps * 1000) / sampleRate) + padding;
  return { version, layer, bitrateKbps, sampleRate, channelCount, samplesPerFrame, frameBytes };
}

/** Offset just past any ID3v2 tags at `start` (some files carry several). */
export function skipId3v2(b: Uint8Array, start = 0): number {
  let pos = start;
  while (pos + 10 <= b.length && b[pos] === 0x49 && b[pos + 1] === 0x44 && b[pos + 2] === 0x33) {
    const size = ((b[pos + 6] & 0x7f) << 21) | ((b[pos + 7] & 0x7f) << 14) | ((b[pos + 8] & 0x7f) << 7) | (b[pos + 9] & 0x7f);
    const footer = b[pos + 5] & 0x10 ? 10 : 0;
    pos += 10 + size + footer;
  }
  return pos;
}

/**
 * First frame whose successor (when inside `b`) is also a consistent frame header: a lone 0xFFE sync pattern in
 * random data must not make a JPEG look like an MP3.
 */
export function findFirstMpegFrame(b: Uint8Array, start: number, maxScan = 64 * 1024): { offset: number; header: MpegFrameHeader } | null {
  const end = Math.min(b.length - 4, start + maxScan);
  for (let pos = start; pos <= end; pos++) {
    if (b[pos] !== 0xff) continue;
    const header = parseMpegFrameHeader(b, pos);
    if (!header) continue;
    if (!successorsAgree(b, pos, header, 2)) continue;
    return { offset: pos, header };
  }
  return null;
}

function successorsAgree(b: Uint8Array, pos: number, header: MpegFrameHeader, count: number): boolean {
  let next = pos + header.frameBytes;
  for (let i = 0; i < count; i++) {
    // A stream shorter than the check is judged by the frames it has.
    if (next + 4 > b.length) return i > 0 || pos + header.frameBytes >= b.length - 4;
    const h = parseMpegFrameHeader(b, next);
    if (!h || h.sampleRate !== header.sampleRate || h.layer !== header.layer || h.version !== header.version) return false;
    next += h.frameBytes;
  }
  return true;
}

export interface XingInfo {
  /** Audio frames in the stream, not counting the Info frame itself. */
  frames: number | null;
  /** Samples the encoder prepended (LAME tag), excluding the decoder's own 529. */
  encoderDelay: number | null;
  encoderPadding: number | null;
}

/** Reads a Xing/Info (and LAME) or VBRI header from the first frame, if it is such an info frame. */
export function readXingInfo(b: Uint8Array, frameOffset: number, header: MpegFrameHeader): XingInfo | null {
  const sideInfo = header.version === 1 ? (header.channelCount === 1 ? 17 : 32) : header.channelCount === 1 ? 9 : 17;
  const x = frameOffset + 4 + sideInfo;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (x + 8 <= b.length) {
    const tag = String.fromCharCode(b[x], b[x + 1], b[x + 2], b[x + 3]);
    if (tag === 'Xing' || tag === 'Info') {
      const flags = view.getUint32(x + 4, false);
      let p = x + 8;
      let frames: number | null = null;
      if (flags & 1) {
        if (p + 4 > b.length) return { frames: null, encoderDelay: null, encoderPadding: null };
        frames = view.getUint32(p, false);
        p += 4;
      }
      if (flags & 2) p += 4;
      if (flags & 4) p += 100;
      if (flags & 8) p += 4;
      let encoderDelay: number | null = null;
      let encoderPadding: number | null = null;
      // LAME extension: 9-byte encoder string, then delay/padding as two 12-bit fields at +21.
      if (p + 24 <= b.length) {
        const enc = String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3]);
        if (enc === 'LAME' || enc === 'Lavf' || enc === 'Lavc' || enc === 'GOGO') {
          const d = p + 21;
          encoderDelay = (b[d] << 4) | (b[d + 1] >> 4);
          encoderPadding = ((b[d + 1] & 0x0f) << 8) | b[d + 2];
        }
      }
      return { frames, encoderDelay, encoderPadding };
    }
  }
  const v = frameOffset + 36;
  if (v + 18 <= b.length && String.fromCharCode(b[v], b[v + 1], b[v + 2], b[v + 3]) === 'VBRI') {
    return { frames: view.getUint32(v + 14, false), encoderDelay: null, encoderPadding: null };
  }
  return null;
}
