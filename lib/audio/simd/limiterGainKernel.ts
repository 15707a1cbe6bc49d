/**
 * The true-peak limiter's gain stage for stereo as a WebAssembly kernel (limiterGainKernel.wat): the release, the
 * lookahead average and the gain applied to a chunk of frames, bit-identical to limiter.ts renderGain. One instance per
 * thread (the limiter is synchronous, and init() starts each use afresh); null where WebAssembly SIMD is missing
 * (renderGain then keeps to its scalar loop). The module exports its own memory layout, so nothing here restates it.
 */
import { DB_TO_GAIN_FAST } from '../workingAudio';
import { instantiateKernel } from './instantiateKernel';
import { limiterGainKernelWasm } from './limiterGainKernel.wasm';

export interface LimiterGainKernel {
  /** Frames per chunk, per block (its maxima and steps), and the longest lookahead window it holds. */
  readonly chunkFrames: number;
  readonly blockFrames: number;
  readonly maxWindow: number;
  /** The chunk's frames, copied in before and out after its runs. */
  readonly left: Float64Array;
  readonly right: Float64Array;
  /** Per block of the chunk: the largest |output|. */
  readonly blockMax: Float64Array;
  /** Per block: the largest gain step, index 0 being the block before the chunk. */
  readonly blockSlope: Float64Array;
  /** The gains at the statistics frames of the chunk so far (statCount() of them). */
  readonly statGains: Float64Array;
  init(window: number, lookahead: number, fastCoef: number, slowRelease: number, slowAttack: number, statsStride: number): void;
  beginChunk(start: number): void;
  statCount(): number;
  /** Frames [from, to) of a run with target reduction dt: where it stopped (`to`, or where `rest` takes over). */
  active(from: number, to: number, dt: number): number;
  rest(from: number, to: number): void;
}

type Layout =
  | 'constants'
  | 'pow2Fraction'
  | 'pow2Integer'
  | 'pow2IntegerLength'
  | 'maxRing'
  | 'left'
  | 'right'
  | 'blockMax'
  | 'blockSlope'
  | 'statGains'
  | 'chunkFrames'
  | 'blockFrames';
type Exports = { memory: WebAssembly.Memory } & Pick<LimiterGainKernel, 'init' | 'beginChunk' | 'statCount' | 'active' | 'rest'> & Record<Layout, WebAssembly.Global>;

let kernel: LimiterGainKernel | null | undefined;

export function limiterGainKernel(): LimiterGainKernel | null {
  if (kernel !== undefined) return kernel;
  const exports = instantiateKernel<Exports>(limiterGainKernelWasm, { env: { pow: Math.pow } });
  if (!exports) return (kernel = null);
  const at = (name: Layout): number => exports[name].value as number;
  const { constants, pow2Fraction, pow2Integer, pow2IntegerBias } = DB_TO_GAIN_FAST;
  // The kernel indexes the integer table at (k >> 6) + 1074.
  if (pow2Integer.length !== at('pow2IntegerLength') || pow2IntegerBias !== 1074) return (kernel = null);
  // The module never grows its memory, so these views stay valid.
  const buffer = exports.memory.buffer;
  new Float64Array(buffer, at('constants'), constants.length).set(constants);
  new Float64Array(buffer, at('pow2Fraction'), pow2Fraction.length).set(pow2Fraction);
  new Float64Array(buffer, at('pow2Integer'), pow2Integer.length).set(pow2Integer);
  const chunkFrames = at('chunkFrames');
  const blockFrames = at('blockFrames');
  const blocks = chunkFrames / blockFrames;
  kernel = {
    chunkFrames,
    blockFrames,
    maxWindow: at('maxRing'),
    left: new Float64Array(buffer, at('left'), chunkFrames),
    right: new Float64Array(buffer, at('right'), chunkFrames),
    blockMax: new Float64Array(buffer, at('blockMax'), blocks),
    blockSlope: new Float64Array(buffer, at('blockSlope'), blocks + 1),
    statGains: new Float64Array(buffer, at('statGains'), chunkFrames + 1),
    init: exports.init,
    beginChunk: exports.beginChunk,
    statCount: exports.statCount,
    active: exports.active,
    rest: exports.rest,
  };
  return kernel;
}
