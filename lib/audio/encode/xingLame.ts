/**
 * Xing/Info + LAME extension header frame, the de-facto standard that makes MP3 gapless and seekable: it records
 * the frame count, byte count, a seek TOC, and the encoder delay and padding decoders trim (ffmpeg, foobar2000,
 * Apple, browsers all honour it). wasm-media-encoders' LAME build writes none, so we build it from the frames.
 */

export interface MpegFrame {
  offset: number;
  length: number;
}

const BITRATES_MPEG1_L3 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const BITRATES_MPEG2_L3 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const SAMPLE_RATES: Record<number, number[]> = {
  3: [44100, 48000, 32000], // MPEG-1
  2: [22050, 24000, 16000], // MPEG-2
  0: [11025, 12000, 8000], // MPEG-2.5
};

export interface MpegHeader {
  versionBits: number;
  mpeg1: boolean;
  bitrateKbps: number;
  sampleRate: number;
  padding: number;
  mono: boolean;
  frameLength: number;
  samplesPerFrame: number;
}

export function parseMpegHeader(b: Uint8Array, p: number): MpegHeader | null {
  if (p + 4 > b.length || b[p] !== 0xff || (b[p + 1] & 0xe0) !== 0xe0) return null;
  const versionBits = (b[p + 1] >> 3) & 3;
  const layerBits = (b[p + 1] >> 1) & 3;
  if (versionBits === 1 || layerBits !== 1) return null; // reserved version, or not Layer III
  const bitrateIndex = b[p + 2] >> 4;
  const rateIndex = (b[p + 2] >> 2) & 3;
  if (bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return null;
  const mpeg1 = versionBits === 3;
  const bitrateKbps = (mpeg1 ? BITRATES_MPEG1_L3 : BITRATES_MPEG2_L3)[bitrateIndex];
  const sampleRate = SAMPLE_RATES[versionBits][rateIndex];
  const padding = (b[p + 2] >> 1) & 1;
  const samplesPerFrame = mpeg1 ? 1152 : 576;
  const frameLength = Math.floor(((samplesPerFrame / 8) * bitrateKbps * 1000) / sampleRate) + padding;
  return { versionBits, mpeg1, bitrateKbps, sampleRate, padding, mono: (b[p + 3] >> 6) === 3, frameLength, samplesPerFrame };
}

/** Offsets of consecutive frames of an encoder's raw output (no tags in between). */
export function scanFrames(stream: Uint8Array): MpegFrame[] {
  const frames: MpegFrame[] = [];
  let p = 0;
  while (p < stream.length) {
    const h = parseMpegHeader(stream, p);
    if (!h) throw new Error(`Encoder output lost MPEG frame sync at byte ${p}`);
    frames.push({ offset: p, length: h.frameLength });
    p += h.frameLength;
  }
  if (p !== stream.length) throw new Error('Encoder output ends in a truncated frame');
  return frames;
}

/** CRC-16/ARC (poly 0x8005 reflected, init 0): the CRC LAME uses for the music and the tag. */
const CRC_TABLE = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    t[i] = c;
  }
  return t;
})();

export function crc16(bytes: Uint8Array, crc = 0): number {
  for (let i = 0; i < bytes.length; i++) crc = (crc >>> 8) ^ CRC_TABLE[(crc ^ bytes[i]) & 0xff];
  return crc;
}

export interface InfoFrameOptions {
  /** The encoder's first audio frame: the info frame copies its version, rate and channel mode. */
  firstFrameHeader: Uint8Array;
  frames: MpegFrame[];
  audioBytes: number;
  /** CRC-16 of all audio frame bytes. */
  musicCrc: number;
  encoderDelay: number;
  padding: number;
  vbr: boolean;
  /** LAME-style VBR quality 0-9 or the CBR bitrate, for the informational fields. */
  vbrQuality?: number;
  cbrKbps?: number;
  lowpassHz?: number;
}

/** Builds the complete info frame that goes before the first audio frame. */
export function buildInfoFrame(o: InfoFrameOptions): Uint8Array {
  const first = parseMpegHeader(o.firstFrameHeader, 0);
  if (!first) throw new Error('Not an MPEG Layer III header');
  // A CBR file keeps its bitrate (so CBR detection stays consistent); VBR uses the smallest bitrate that fits.
  const bitrateTable = first.mpeg1 ? BITRATES_MPEG1_L3 : BITRATES_MPEG2_L3;
  const sideInfo = first.mpeg1 ? (first.mono ? 17 : 32) : first.mono ? 9 : 17;
  const needed = 4 + sideInfo + 120 + 36;
  let bitrateIndex = bitrateTable.indexOf(first.bitrateKbps);
  if (o.vbr) {
    bitrateIndex = bitrateTable.findIndex(
      (kbps, i) => i > 0 && Math.floor(((first.samplesPerFrame / 8) * kbps * 1000) / first.sampleRate) >= needed,
    );
  }
  const frameLength = Math.floor(((first.samplesPerFrame / 8) * bitrateTable[bitrateIndex] * 1000) / first.sampleRate);
  if (frameLength < needed) throw new Error('Info frame does not fit');
  const f = new Uint8Array(frameLength);
  const v = new DataView(f.buffer);
  f[0] = 0xff;
  f[1] = o.firstFrameHeader[1] | 0x01; // protection bit set = no CRC
  f[2] = (bitrateIndex << 4) | (o.firstFrameHeader[2] & 0x0c); // keep the rate index, no padding, private 0
  f[3] = o.firstFrameHeader[3];
  let p = 4 + sideInfo;
  const totalBytes = frameLength + o.audioBytes;
  f.set([...(o.vbr ? 'Xing' : 'Info')].map((c) => c.charCodeAt(0)), p);
  v.setUint32(p + 4, 0x0f); // frames, bytes, TOC, quality present
  v.setUint32(p + 8, o.frames.length);
  v.setUint32(p + 12, totalBytes);
  // TOC: byte position (in 1/256 of the file) of each percent of the duration.
  for (let i = 0; i < 100; i++) {
    const frameIndex = Math.min(o.frames.length - 1, Math.floor((i / 100) * o.frames.length));
    const byte = frameLength + (o.frames[frameIndex]?.offset ?? 0);
    f[p + 16 + i] = Math.min(255, Math.floor((256 * byte) / totalBytes));
  }
  const quality = o.vbr ? Math.max(0, Math.round(100 - 10 * (o.vbrQuality ?? 4) - 3)) : 57;
  v.setUint32(p + 116, quality);
  p += 120;
  // LAME extension (the "LAME tag").
  f.set([...'LAME3.100'].map((c) => c.charCodeAt(0)), p);
  f[p + 9] = (0 << 4) | (o.vbr ? 4 : 1); // tag revision 0; method 4 = VBR mtrh, 1 = CBR
  f[p + 10] = Math.min(255, Math.round((o.lowpassHz ?? 0) / 100));
  // Peak amplitude (4 bytes) and replay gain (2 × 2 bytes) left zero: unknown.
  f[p + 19] = 0; // encoding flags / ATH type
  f[p + 20] = Math.min(255, o.vbr ? 0 : (o.cbrKbps ?? 0)); // CBR bitrate or VBR minimum (0 = unspecified)
  if (o.encoderDelay > 4095 || o.padding > 4095 || o.padding < 0) throw new Error('Delay/padding out of range');
  f[p + 21] = o.encoderDelay >> 4;
  f[p + 22] = ((o.encoderDelay & 0x0f) << 4) | (o.padding >> 8);
  f[p + 23] = o.padding & 0xff;
  f[p + 24] = 0; // misc: no noise shaping info, stereo mode unknown, source rate ≤ 44.1 kHz
  f[p + 25] = 0; // MP3 gain
  v.setUint16(p + 26, 0); // preset / surround
  v.setUint32(p + 28, totalBytes); // music length, info frame included (as LAME does)
  v.setUint16(p + 32, o.musicCrc);
  v.setUint16(p + 34, crc16(f.subarray(0, p + 34)));
  return f;
}
