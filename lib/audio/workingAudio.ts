import type { PcmAudio } from './types';

/**
 * Planar float64 audio used between processing stages. The render chain converts once from float32 on the way in
 * and once back on the way out, so filter state and intermediate sums never lose precision between stages, and the
 * hot loops only ever see one array type (V8 keeps them monomorphic).
 */
export interface WorkingAudio {
  sampleRate: number;
  channels: Float64Array[];
}

export function toWorkingAudio(pcm: PcmAudio): WorkingAudio {
  return { sampleRate: pcm.sampleRate, channels: pcm.channels.map((c) => new Float64Array(c)) };
}

export function toPcmAudio(work: WorkingAudio): PcmAudio {
  return { sampleRate: work.sampleRate, channels: work.channels.map((c) => new Float32Array(c)) };
}

/**
 * float32 audio made from `work` in its own memory, times `gain` (1: the samples as they are), for when the float64
 * copy is done with: element i of a channel's float32 view occupies bytes 4i..4i+3, which belong to float64 elements
 * already read (index ≤ i/2). The channels' memory beyond their float32 part is free afterwards and returned as `spare`
 * (e.g. for the encoder's output). Channels from `narrowedFrom` on are taken as narrowed already, by
 * narrowChannelInPlace (e.g. on another thread, in shared memory). `work` is unusable afterwards.
 */
export function narrowInPlace(work: WorkingAudio, gain = 1, narrowedFrom = work.channels.length): { pcm: PcmAudio; spare: Uint8Array[] } {
  const pcm: PcmAudio = { sampleRate: work.sampleRate, channels: [] };
  const spare: Uint8Array[] = [];
  work.channels.forEach((wide, ch) => {
    const narrow = ch < narrowedFrom ? narrowChannelInPlace(wide, gain) : new Float32Array(wide.buffer, wide.byteOffset, wide.length);
    pcm.channels.push(narrow);
    const from = narrow.byteOffset + narrow.byteLength;
    spare.push(new Uint8Array(wide.buffer, from, wide.buffer.byteLength - from));
  });
  work.channels.length = 0;
  return { pcm, spare };
}

/** One channel of narrowInPlace: its float32 view, written over the float64 samples it was made from. */
export function narrowChannelInPlace(wide: Float64Array, gain = 1): Float32Array {
  const narrow = new Float32Array(wide.buffer, wide.byteOffset, wide.length);
  // Times 1 is exact: no separate loop for gain 1.
  for (let i = 0; i < wide.length; i++) narrow[i] = wide[i] * gain;
  return narrow;
}

/** Every one of these arrays lives in shared memory (another thread can read and write it in place). */
export function inSharedMemory(arrays: readonly ArrayBufferView[]): boolean {
  return arrays.every((a) => a.buffer instanceof SharedArrayBuffer);
}

export function frameCount(work: { channels: ArrayLike<number>[] }): number {
  return work.channels.length === 0 ? 0 : work.channels[0].length;
}

export const dbToGain = (db: number): number => Math.pow(10, db / 20);
export const gainToDb = (gain: number): number => 20 * Math.log10(gain);

const POW2_FRACTION = Float64Array.from({ length: 64 }, (_, m) => Math.pow(2, m / 64));
const POW2_INTEGER_BIAS = 1074;
const POW2_INTEGER = Float64Array.from({ length: 1074 + 1024 }, (_, e) => Math.pow(2, e - POW2_INTEGER_BIAS));
const LOG2_10_OVER_20 = Math.log2(10) / 20;
const ROUNDING_SHIFT = 6755399441055744;
// The polynomial's coefficients, named once for dbToGainFast and the kernel that computes it the same way.
const ONE_SIXTH = 1 / 6;
const ONE_24TH = 1 / 24;
const ONE_120TH = 1 / 120;

/** dbToGainFast's constants and tables, for a WebAssembly kernel that computes it the same way (simd/limiterGainKernel.ts). */
export const DB_TO_GAIN_FAST = {
  /** log2(10)/20, 1.5·2^52, ln 2, 1/6, 1/24, 1/120: every constant of the computation, in that order. */
  constants: Float64Array.of(LOG2_10_OVER_20, ROUNDING_SHIFT, Math.LN2, ONE_SIXTH, ONE_24TH, ONE_120TH),
  pow2Fraction: POW2_FRACTION,
  pow2Integer: POW2_INTEGER,
  pow2IntegerBias: POW2_INTEGER_BIAS,
} as const;

/**
 * dbToGain for per-sample gain envelopes (compressor, limiter): 2^(db * log2(10)/20) from a 64-entry table and a
 * degree-5 polynomial on |r| < ln2/128 (truncation error < 4e-17). Agrees with Math.pow / Math.exp to a few ulps
 * (about 1e-15 relative, 300 dB below the signal) at a fraction of their cost.
 */
export function dbToGainFast(db: number): number {
  const y = db * LOG2_10_OVER_20;
  if (!(y > -1000 && y < 1000)) return Math.pow(10, db / 20);
  // Adding and removing 1.5 * 2^52 rounds to the nearest integer without a call.
  const kf = y * 64 + ROUNDING_SHIFT - ROUNDING_SHIFT;
  const k = kf | 0;
  const r = (y - kf / 64) * Math.LN2;
  const p = 1 + r * (1 + r * (0.5 + r * (ONE_SIXTH + r * (ONE_24TH + r * ONE_120TH))));
  return p * POW2_FRACTION[k & 63] * POW2_INTEGER[(k >> 6) + POW2_INTEGER_BIAS];
}
