/**
 * Short-time Fourier transform of TWO real signals at once: `a` goes in the real part and `b` in the imaginary part
 * of one complex FFT, and the two spectra are separated afterwards by conjugate symmetry. That halves the FFT cost
 * of analysing mid and side (or left and right, or two consecutive frames of one signal).
 */
import type { ComplexFft } from './fft';

export interface PackedStftOptions {
  fft: ComplexFft;
  /** Length fft.size. */
  window: Float32Array;
  hopSize: number;
  /** Zero-pad a final partial frame instead of dropping it. A signal shorter than one frame always gets one frame. */
  includePartialFrame?: boolean;
}

/** Number of frames analysed for a signal of `length` samples. */
export function packedFrameCount(length: number, frameSize: number, hopSize: number, includePartialFrame = false): number {
  if (length <= 0) return 0;
  if (length <= frameSize) return 1;
  const full = Math.floor((length - frameSize) / hopSize) + 1;
  const covered = (full - 1) * hopSize + frameSize;
  return includePartialFrame && covered < length ? full + 1 : full;
}

/** Fills interleaved `input` with window·(a + i·b) for `count` samples from `start`; the rest is zeroed by the caller. */
export type PackedFrameLoader = (input: Float32Array, window: Float32Array, start: number, count: number) => void;

/**
 * Calls `visit(frameIndex, startSample, z)` for each frame, where z is the interleaved complex spectrum of
 * window·(a + i·b). Use `splitPackedBin` (or its formulas inlined in a hot loop) to recover A[k] and B[k].
 * `z` is only valid during the call.
 */
export function packedStftWith(
  length: number,
  load: PackedFrameLoader,
  options: PackedStftOptions,
  visit: (frameIndex: number, startSample: number, z: Float32Array) => void,
): number {
  const { fft, window, hopSize } = options;
  const size = fft.size;
  const frames = packedFrameCount(length, size, hopSize, options.includePartialFrame ?? false);
  for (let frame = 0; frame < frames; frame++) {
    const start = frame * hopSize;
    const input = fft.input;
    const available = Math.min(size, length - start);
    load(input, window, start, available);
    if (available < size) input.fill(0, 2 * available);
    fft.forward();
    visit(frame, start, fft.output);
  }
  return frames;
}

/** Two real signals; `b` may be shorter than `a` (zero-extended) or absent (zeros). */
export function packedStft(
  a: Float32Array,
  b: Float32Array | undefined,
  options: PackedStftOptions,
  visit: (frameIndex: number, startSample: number, z: Float32Array) => void,
): number {
  return packedStftWith(a.length, (input, window, start, count) => {
    const countB = b ? Math.max(0, Math.min(count, b.length - start)) : 0;
    for (let i = 0; i < countB; i++) {
      const w = window[i];
      input[2 * i] = a[start + i] * w;
      input[2 * i + 1] = b![start + i] * w;
    }
    for (let i = countB; i < count; i++) {
      input[2 * i] = a[start + i] * window[i];
      input[2 * i + 1] = 0;
    }
  }, options, visit);
}

/** Bin k (0..size/2) of the two real signals packed into z. Writes [aRe, aIm, bRe, bIm] into `out`. */
export function splitPackedBin(z: Float32Array, k: number, size: number, out: Float64Array): Float64Array {
  const mirror = k === 0 ? 0 : size - k;
  const zr = z[2 * k];
  const zi = z[2 * k + 1];
  const cr = z[2 * mirror];
  const ci = z[2 * mirror + 1];
  out[0] = (zr + cr) / 2;
  out[1] = (zi - ci) / 2;
  out[2] = (zi + ci) / 2;
  out[3] = (cr - zr) / 2;
  return out;
}
