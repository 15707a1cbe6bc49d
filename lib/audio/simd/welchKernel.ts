/**
 * The Welch long-term spectrum's WebAssembly SIMD kernel (welchKernel.wat): windowing a segment's left/right into the
 * FFT's interleaved mid/side input, and adding the split spectrum to per-bin float64 sums. One instance per spectrum
 * (its sums live in the instance's memory); null where WebAssembly SIMD is missing (the accumulator's scalar functions
 * then do the same arithmetic).
 */
import { instantiateKernel } from './instantiateKernel';
import { welchKernelWasm } from './welchKernel.wasm';

export interface WelchKernel {
  /** The analysis window, `size` values (set once by the caller). */
  readonly window: Float32Array;
  /** The segment's samples, `size` frames each (mono uses `left`). */
  readonly left: Float32Array;
  readonly right: Float32Array;
  /** A stereo segment's float64 samples (windowMidSide64 rounds them to float32 as it reads them). */
  readonly left64: Float64Array;
  readonly right64: Float64Array;
  /** Windowed mid/side, interleaved: what the FFT takes (2·size values). */
  readonly input: Float32Array;
  /** The FFT's output, copied in before `accumulate` (2·size values). */
  readonly spectrum: Float32Array;
  /** Per bin (size/2 + 1): Σ weight·|M|², Σ weight·|S|², Σ weight·Re(M·S*), unscaled. */
  readonly m2: Float64Array;
  readonly s2: Float64Array;
  readonly ms: Float64Array;
  windowMidSide(count: number): void;
  /** windowMidSide from left64/right64: the same values as from their float32 copies in left/right. */
  windowMidSide64(count: number): void;
  windowMono(count: number): void;
  accumulate(weight: number): void;
}

interface Exports extends WebAssembly.Exports {
  memory: WebAssembly.Memory;
  windowMidSide(out: number, left: number, right: number, window: number, count: number): void;
  windowMidSide64(out: number, left: number, right: number, window: number, count: number): void;
  windowMono(out: number, x: number, window: number, count: number): void;
  accumulate(z: number, m2: number, s2: number, ms: number, size: number, weight: number): void;
}

const PAGE_BYTES = 65536;

/** A kernel for segments of `size` frames (a multiple of 4, as every FFT size here is), or null without WebAssembly SIMD. */
export function createWelchKernel(size: number): WelchKernel | null {
  if (size % 4 !== 0) return null;
  const exports = instantiateKernel<Exports>(welchKernelWasm);
  if (!exports) return null;
  const bins = size / 2 + 1;
  // Byte offsets, 16-aligned: window, left, right (float32 · size), input, spectrum (float32 · 2·size), sums, then
  // left64 and right64 (float64 · size).
  const f32Bytes = 4 * size;
  const windowAt = 16;
  const leftAt = windowAt + f32Bytes;
  const rightAt = leftAt + f32Bytes;
  const inputAt = rightAt + f32Bytes;
  const spectrumAt = inputAt + 2 * f32Bytes;
  const sumBytes = Math.ceil((8 * bins) / 16) * 16;
  const m2At = spectrumAt + 2 * f32Bytes;
  const s2At = m2At + sumBytes;
  const msAt = s2At + sumBytes;
  const left64At = msAt + sumBytes;
  const right64At = left64At + 8 * size;
  const bytes = right64At + 8 * size;
  const have = exports.memory.buffer.byteLength;
  if (bytes > have) exports.memory.grow(Math.ceil((bytes - have) / PAGE_BYTES));
  // Grown once, before any view is taken: the views stay valid.
  const buffer = exports.memory.buffer;
  return {
    window: new Float32Array(buffer, windowAt, size),
    left: new Float32Array(buffer, leftAt, size),
    right: new Float32Array(buffer, rightAt, size),
    left64: new Float64Array(buffer, left64At, size),
    right64: new Float64Array(buffer, right64At, size),
    input: new Float32Array(buffer, inputAt, 2 * size),
    spectrum: new Float32Array(buffer, spectrumAt, 2 * size),
    m2: new Float64Array(buffer, m2At, bins),
    s2: new Float64Array(buffer, s2At, bins),
    ms: new Float64Array(buffer, msAt, bins),
    windowMidSide: (count) => exports.windowMidSide(inputAt, leftAt, rightAt, windowAt, count),
    windowMidSide64: (count) => exports.windowMidSide64(inputAt, left64At, right64At, windowAt, count),
    windowMono: (count) => exports.windowMono(inputAt, leftAt, windowAt, count),
    accumulate: (weight) => exports.accumulate(spectrumAt, m2At, s2At, msAt, size, weight),
  };
}
