/**
 * The level scan's WebAssembly SIMD kernel (levelKernel.wat): per 16-frame block of a piece of up to
 * KERNEL_PIECE_FRAMES frames, min/max, largest |second difference| and sum per channel, and the stereo products.
 * One instance per thread (the scan is synchronous); null where WebAssembly SIMD is missing (the scan's scalar code
 * then does everything).
 */
import { instantiateKernel } from './instantiateKernel';
import { levelKernelWasm } from './levelKernel.wasm';

export const KERNEL_PIECE_FRAMES = 16384;

export interface LevelKernel {
  /** Left samples: [0] and [1] are the two frames before the piece, the piece from [2]. */
  readonly left: Float32Array;
  readonly right: Float32Array;
  /** Per block: min L, max L, min R, max R. */
  readonly blockExtremes: Float32Array;
  /** Per block: d2 L, d2 R, sum L, sum R, Σ L·R, Σ L², Σ R². */
  readonly blockSums: Float64Array;
  scan(blocks: number): void;
  /** The piece's mono copy decimated by 4 (frames from [2] of left and right), into `mono`. */
  decimate4(groups: number): void;
  readonly mono: Float32Array;
}

let kernel: LevelKernel | null | undefined;

export function levelKernel(): LevelKernel | null {
  if (kernel !== undefined) return kernel;
  const exports = instantiateKernel<{ memory: WebAssembly.Memory; scan: (blocks: number) => void; decimate4: (groups: number) => void }>(levelKernelWasm);
  if (!exports) return (kernel = null);
  // The module never grows its memory, so these views stay valid.
  const buffer = exports.memory.buffer;
  const blocks = KERNEL_PIECE_FRAMES / 16;
  kernel = {
    left: new Float32Array(buffer, 8, KERNEL_PIECE_FRAMES + 2),
    right: new Float32Array(buffer, 65560, KERNEL_PIECE_FRAMES + 2),
    blockExtremes: new Float32Array(buffer, 131120, 4 * blocks),
    blockSums: new Float64Array(buffer, 147504, 7 * blocks),
    scan: exports.scan,
    decimate4: exports.decimate4,
    mono: new Float32Array(buffer, 204848, KERNEL_PIECE_FRAMES / 4),
  };
  return kernel;
}
