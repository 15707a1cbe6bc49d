/**
 * The stereo K-weighting kernel (kWeightingKernel.wat): both channels of a piece of up to KWEIGHTING_PIECE_FRAMES
 * frames through the K filter at once, summing squares per segment. One instance per thread; null where WebAssembly
 * SIMD is missing (the meter's scalar filters then do it).
 */
import { instantiateKernel } from './instantiateKernel';
import { kWeightingKernelWasm } from './kWeightingKernel.wasm';

export const KWEIGHTING_PIECE_FRAMES = 16384;

export interface KWeightingKernel {
  /** x1 x2 m1 m2 y1 y2, each [left, right]: the meter saves and restores its own around each run. */
  readonly state: Float64Array;
  /** sb0 sb1 sb2 sa1 sa2 ha1 ha2. */
  readonly coefficients: Float64Array;
  readonly left: Float32Array;
  readonly right: Float32Array;
  /** The same for float64 samples (run with `wide`). */
  readonly left64: Float64Array;
  readonly right64: Float64Array;
  /** The open segment's running sums [left, right], carried from piece to piece (saved and restored like the state). */
  readonly openSums: Float64Array;
  /** Frames the open segment still takes, after a run. */
  openFrames(): number;
  /** Per closed segment: [left sum of squares, right sum of squares]. */
  readonly segmentSums: Float64Array;
  /**
   * Filters `frames` frames (from left64/right64 when `wide` is 1, or 2 for those rounded to float32 as they are read,
   * else from left/right): the open segment takes `open` more, later ones `step`. Returns the number closed.
   */
  run(frames: number, open: number, step: number, wide: number): number;
}

let kernel: KWeightingKernel | null | undefined;

export function kWeightingKernel(): KWeightingKernel | null {
  if (kernel !== undefined) return kernel;
  const exports = instantiateKernel<{ memory: WebAssembly.Memory; run: (frames: number, open: number, step: number, wide: number) => number }>(kWeightingKernelWasm);
  if (!exports) return (kernel = null);
  // The module never grows its memory, so these views stay valid.
  const buffer = exports.memory.buffer;
  const open = new Int32Array(buffer, 176, 1);
  kernel = {
    state: new Float64Array(buffer, 0, 12),
    coefficients: new Float64Array(buffer, 96, 7),
    left: new Float32Array(buffer, 256, KWEIGHTING_PIECE_FRAMES),
    right: new Float32Array(buffer, 65792, KWEIGHTING_PIECE_FRAMES),
    left64: new Float64Array(buffer, 393472, KWEIGHTING_PIECE_FRAMES),
    right64: new Float64Array(buffer, 524544, KWEIGHTING_PIECE_FRAMES),
    openSums: new Float64Array(buffer, 160, 2),
    openFrames: () => open[0],
    segmentSums: new Float64Array(buffer, 131328, 2 * KWEIGHTING_PIECE_FRAMES),
    run: exports.run,
  };
  return kernel;
}
