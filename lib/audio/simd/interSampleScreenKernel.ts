/**
 * The true-peak limiter's inter-sample screen as a WebAssembly SIMD kernel (interSampleScreenKernel.wat): per block of
 * 32 frames of one float64 channel, the frames whose 4-tap core of any x4 phase exceeds that phase's limit. One
 * instance per thread (the limiter is synchronous); null where WebAssembly SIMD is missing (limiter.ts then screens
 * with its scalar loop). The module exports its own memory layout, so nothing here restates it.
 */
import { instantiateKernel } from './instantiateKernel';
import { interSampleScreenKernelWasm } from './interSampleScreenKernel.wasm';

export interface InterSampleScreenKernel {
  /** Blocks per call, and frames per block. */
  readonly maxBlocks: number;
  readonly blockFrames: number;
  /** Per block: the limits of phases 1-3 (an infinite first limit skips the block). */
  readonly limits: Float64Array;
  /** Sample j is the first central tap of frame j; frames + 4 of them are read. */
  readonly samples: Float64Array;
  /** Written by screen(): the candidates' frame indices, increasing. */
  readonly candidates: Int32Array;
  /** Screens frames [0, frames) of blocks [0, blocks); returns how many candidates it wrote. */
  screen(blocks: number, frames: number): number;
}

type Layout = 'taps' | 'limits' | 'samples' | 'candidates' | 'maxBlocks' | 'blockFrames';
type Exports = { memory: WebAssembly.Memory; screen: InterSampleScreenKernel['screen'] } & Record<Layout, WebAssembly.Global>;

const kernels = new Map<string, InterSampleScreenKernel | null>();

/** The kernel for these central taps (phases 1-3, 4 taps each, 12 values), or null without WebAssembly SIMD. */
export function interSampleScreenKernel(centralTaps: Float64Array): InterSampleScreenKernel | null {
  const key = centralTaps.join(',');
  const known = kernels.get(key);
  if (known !== undefined) return known;
  const exports = centralTaps.length === 12 ? instantiateKernel<Exports>(interSampleScreenKernelWasm) : null;
  if (!exports) {
    kernels.set(key, null);
    return null;
  }
  const at = (name: Layout): number => exports[name].value as number;
  // The module never grows its memory, so these views stay valid.
  const buffer = exports.memory.buffer;
  const maxBlocks = at('maxBlocks');
  const blockFrames = at('blockFrames');
  const frames = maxBlocks * blockFrames;
  new Float64Array(buffer, at('taps'), 12).set(centralTaps);
  const kernel: InterSampleScreenKernel = {
    maxBlocks,
    blockFrames,
    limits: new Float64Array(buffer, at('limits'), 3 * maxBlocks),
    samples: new Float64Array(buffer, at('samples'), frames + 8),
    candidates: new Int32Array(buffer, at('candidates'), frames),
    screen: exports.screen,
  };
  kernels.set(key, kernel);
  return kernel;
}
