/**
 * Builders for hand-made WAV/AIFF byte layouts used by the decoder tests. Test support only: the app never writes
 * these (the mastering output writer lives elsewhere).
 */

/** A deterministic two-tone signal, different per channel, peaking below full scale. */
export function testSignal(frames: number, sampleRate: number, channelCount: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let ch = 0; ch < channelCount; ch++) {
    const x = new Float64Array(frames);
    const f1 = 441 * (ch + 1);
    for (let i = 0; i < frames; i++) {
      const t = i / sampleRate;
      x[i] = 0.5 * Math.sin(2 * Math.PI * f1 * t) + 0.25 * Math.sin(2 * Math.PI * 1234.5 * t + ch);
    }
    out.push(x);
  }
  return out;
}

export type TestSampleFormat = 'u8' | 's8' | 's16' | 's24' | 's32' | 'f32' | 'f64';

export function sampleWidth(f: TestSampleFormat): number {
  return { u8: 1, s8: 1, s16: 2, s24: 3, s32: 4, f32: 4, f64: 8 }[f];
}

/** Quantises like a writer would (round to nearest, clip) and returns what a perfect decoder must give back. */
export function quantised(x: number, f: TestSampleFormat): number {
  const q = (bits: number) => {
    const full = 2 ** (bits - 1);
    return Math.max(-full, Math.min(full - 1, Math.round(x * full))) / full;
  };
  switch (f) {
    case 'u8':
    case 's8':
      return q(8);
    case 's16':
      return q(16);
    case 's24':
      return q(24);
    case 's32':
      return q(32);
    case 'f32':
      return Math.fround(x);
    case 'f64':
      return x;
  }
}

export function interleave(channels: Float64Array[], f: TestSampleFormat, littleEndian: boolean): Uint8Array {
  const w = sampleWidth(f);
  const frames = channels[0].length;
  const out = new Uint8Array(frames * channels.length * w);
  const view = new DataView(out.buffer);
  let p = 0;
  for (let i = 0; i < frames; i++) {
    for (const ch of channels) {
      const v = quantised(ch[i], f);
      switch (f) {
        case 'u8':
          view.setUint8(p, Math.round(v * 128) + 128);
          break;
        case 's8':
          view.setInt8(p, Math.round(v * 128));
          break;
        case 's16':
          view.setInt16(p, Math.round(v * 32768), littleEndian);
          break;
        case 's24': {
          const n = Math.round(v * 8388608) & 0xffffff;
          const bytes = [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff];
          if (!littleEndian) bytes.reverse();
          out.set(bytes, p);
          break;
        }
        case 's32':
          view.setInt32(p, Math.round(v * 2147483648), littleEndian);
          break;
        case 'f32':
          view.setFloat32(p, v, littleEndian);
          break;
        case 'f64':
          view.setFloat64(p, v, littleEndian);
          break;
      }
      p += w;
    }
  }
  return out;
}

export interface Chunk {
  id: string;
  body: Uint8Array;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const text = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

function chunkBytes(c: Chunk, littleEndian: boolean, sizeOverride?: number): Uint8Array {
  const head = new Uint8Array(8);
  head.set(text(c.id), 0);
  new DataView(head.buffer).setUint32(4, sizeOverride ?? c.body.length, littleEndian);
  return concat([head, c.body, c.body.length & 1 ? new Uint8Array(1) : new Uint8Array(0)]);
}

export interface WavOptions {
  format: TestSampleFormat;
  extensible?: boolean;
  validBits?: number;
  rf64?: boolean;
  sampleRate?: number;
  /** Chunks placed between fmt and data (e.g. odd-sized unknown, bext, iXML). */
  extraChunks?: Chunk[];
  /** Value written in the data chunk's size field instead of the real size. */
  dataSizeField?: number;
  channelCountOverride?: number;
}

export function buildWav(channels: Float64Array[], o: WavOptions): Uint8Array {
  const sampleRate = o.sampleRate ?? 44100;
  const channelCount = o.channelCountOverride ?? channels.length;
  const w = sampleWidth(o.format);
  const isFloat = o.format === 'f32' || o.format === 'f64';
  const tag = isFloat ? 3 : 1;
  const fmt = new Uint8Array(o.extensible ? 40 : 16);
  const v = new DataView(fmt.buffer);
  v.setUint16(0, o.extensible ? 0xfffe : tag, true);
  v.setUint16(2, channelCount, true);
  v.setUint32(4, sampleRate, true);
  v.setUint32(8, sampleRate * channelCount * w, true);
  v.setUint16(12, channelCount * w, true);
  v.setUint16(14, w * 8, true);
  if (o.extensible) {
    v.setUint16(16, 22, true);
    v.setUint16(18, o.validBits ?? w * 8, true);
    v.setUint32(20, channelCount === 1 ? 4 : 3, true);
    // KSDATAFORMAT_SUBTYPE_PCM/IEEE_FLOAT: {0000000X-0000-0010-8000-00aa00389b71}
    fmt.set([tag, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71], 24);
  }
  const data = interleave(channels, o.format, true);
  const body: Uint8Array[] = [];
  if (o.rf64) {
    const ds64 = new Uint8Array(28);
    const dv = new DataView(ds64.buffer);
    const riffSize = 4 + 36 + 24 + (o.extraChunks ?? []).reduce((n, c) => n + 8 + c.body.length + (c.body.length & 1), 0) + 8 + data.length;
    dv.setUint32(0, riffSize, true);
    dv.setUint32(8, data.length % 2 ** 32, true);
    dv.setUint32(12, Math.floor(data.length / 2 ** 32), true);
    dv.setUint32(16, channels[0].length, true);
    body.push(chunkBytes({ id: 'ds64', body: ds64 }, true));
  }
  body.push(chunkBytes({ id: 'fmt ', body: fmt }, true));
  for (const c of o.extraChunks ?? []) body.push(chunkBytes(c, true));
  body.push(chunkBytes({ id: 'data', body: data }, true, o.rf64 ? 0xffffffff : o.dataSizeField));
  const all = concat(body);
  const head = new Uint8Array(12);
  head.set(text(o.rf64 ? 'RF64' : 'RIFF'), 0);
  new DataView(head.buffer).setUint32(4, o.rf64 ? 0xffffffff : 4 + all.length, true);
  head.set(text('WAVE'), 8);
  return concat([head, all]);
}

export interface AiffOptions {
  format: TestSampleFormat;
  /** AIFF-C compression type; undefined writes plain AIFF. */
  compression?: 'NONE' | 'sowt' | 'fl32' | 'fl64';
  sampleRate?: number;
  extraChunks?: Chunk[];
}

/** IEEE 754 80-bit extended for the COMM sample rate. */
export function extended(value: number): Uint8Array {
  const out = new Uint8Array(10);
  if (value === 0) return out;
  const exp = Math.floor(Math.log2(value));
  const mantissa = value / 2 ** exp; // in [1, 2)
  const hi = Math.floor(mantissa * 2 ** 31);
  const lo = Math.floor((mantissa * 2 ** 31 - hi) * 2 ** 32);
  const v = new DataView(out.buffer);
  v.setUint16(0, exp + 16383, false);
  v.setUint32(2, hi, false);
  v.setUint32(6, lo, false);
  return out;
}

export function buildAiff(channels: Float64Array[], o: AiffOptions): Uint8Array {
  const sampleRate = o.sampleRate ?? 44100;
  const aifc = o.compression !== undefined;
  const w = sampleWidth(o.format);
  const comm = new Uint8Array(aifc ? 18 + 4 + 2 : 18);
  const v = new DataView(comm.buffer);
  v.setUint16(0, channels.length, false);
  v.setUint32(2, channels[0].length, false);
  v.setUint16(6, w * 8, false);
  comm.set(extended(sampleRate), 8);
  if (aifc) comm.set(text(o.compression!), 18); // followed by an empty pascal string (2 bytes: length 0 + pad)
  const data = interleave(channels, o.format, o.compression === 'sowt');
  const ssnd = new Uint8Array(8 + data.length);
  ssnd.set(data, 8);
  const parts: Uint8Array[] = [];
  if (aifc) parts.push(chunkBytes({ id: 'FVER', body: Uint8Array.from([0xa2, 0x80, 0x51, 0x40]) }, false));
  parts.push(chunkBytes({ id: 'COMM', body: comm }, false));
  for (const c of o.extraChunks ?? []) parts.push(chunkBytes(c, false));
  parts.push(chunkBytes({ id: 'SSND', body: ssnd }, false));
  const all = concat(parts);
  const head = new Uint8Array(12);
  head.set(text('FORM'), 0);
  new DataView(head.buffer).setUint32(4, 4 + all.length, false);
  head.set(text(aifc ? 'AIFC' : 'AIFF'), 8);
  return concat([head, all]);
}

export { concat, text };

/** The chirps of fixtures/make-fixtures.sh (channel 0, and channel 1 of the stereo files). */
export function fixtureSignal(channel: number, i: number, rate: number): number {
  const t = i / rate;
  return channel === 0 ? 0.5 * Math.sin(2 * Math.PI * (200 * t + 400 * t * t)) : 0.4 * Math.sin(2 * Math.PI * (300 * t + 300 * t * t));
}

/** SNR of a decoded fixture channel against its chirp after the best-fitting gain (the MP3 encoder scales its
 * input by 0.95), and that gain. A misalignment of even one sample costs the chirp 15-25 dB. */
export function fixtureSnrDb(decoded: Float32Array, channel: number, rate: number): { snr: number; gain: number } {
  let cross = 0;
  let power = 0;
  for (let i = 0; i < decoded.length; i++) {
    const want = fixtureSignal(channel, i, rate);
    cross += decoded[i] * want;
    power += want * want;
  }
  const gain = cross / power;
  let noise = 0;
  for (let i = 0; i < decoded.length; i++) noise += (decoded[i] - gain * fixtureSignal(channel, i, rate)) ** 2;
  return { snr: 10 * Math.log10((gain * gain * power) / noise), gain };
}

/** One entry of fixtures/expected.json. */
export interface ExpectedFixture {
  container: string;
  codec: string;
  sampleRate: number;
  channelCount: number;
  frames: number;
  lossless: boolean;
}
