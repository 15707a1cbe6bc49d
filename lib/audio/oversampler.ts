/**
 * x2 / x4 oversampling with polyphase IIR half-band filters (two parallel chains of first-order allpasses in z^-2),
 * designed by the elliptic method Laurent de Soras uses in HIIR (WTFPL; this is an independent re-implementation).
 * A few multiplies per sample per stage instead of a long FIR: the price is a nonlinear phase near the band edge,
 * which is fine inside a saturator (dry and wet both go through it).
 */

/** Allpass coefficients for a half-band filter with the given stopband attenuation and transition bandwidth
 * (normalised to the higher rate: passband up to 0.25 - tbw, stopband from 0.25 + tbw). */
export function designHalfBand(attenuationDb: number, transitionBandwidth: number): Float64Array {
  let k = Math.tan(((1 - transitionBandwidth * 2) * Math.PI) / 4);
  k *= k;
  const kksqrt = Math.pow(1 - k * k, 0.25);
  const e = (0.5 * (1 - kksqrt)) / (1 + kksqrt);
  const e2 = e * e;
  const e4 = e2 * e2;
  const q = e * (1 + e4 * (2 + e4 * (15 + 150 * e4)));
  const attn = Math.pow(10, -attenuationDb / 10);
  const a = attn / (1 - attn);
  let order = Math.ceil(Math.log((a * a) / 16) / Math.log(q));
  if (order % 2 === 0) order++;
  if (order < 3) order = 3;
  const count = (order - 1) / 2;
  const coefs = new Float64Array(count);
  for (let index = 0; index < count; index++) {
    const c = index + 1;
    let num = 0;
    for (let i = 0, sign = 1; ; i++, sign = -sign) {
      const term = Math.pow(q, i * (i + 1)) * Math.sin(((i * 2 + 1) * c * Math.PI) / order) * sign;
      num += term;
      if (Math.abs(term) < 1e-100 || i > 1000) break;
    }
    num *= Math.pow(q, 0.25);
    let den = 0;
    for (let i = 1, sign = -1; ; i++, sign = -sign) {
      const term = Math.pow(q, i * i) * Math.cos((i * 2 * c * Math.PI) / order) * sign;
      den += term;
      if (Math.abs(term) < 1e-100 || i > 1000) break;
    }
    den += 0.5;
    const ww = num / den;
    const wwsq = ww * ww;
    const x = Math.sqrt((1 - wwsq * k) * (1 - wwsq / k)) / (1 + wwsq);
    coefs[index] = (1 - x) / (1 + x);
  }
  return coefs;
}

/**
 * One x2 half-band stage over TWO channels at once, usable as an upsampler or a downsampler (not both). The
 * allpass chains are serial (each section waits for the previous one), so a plain loop is latency-bound; running
 * left and right side by side doubles the independent work per iteration. The loop is generated once per
 * coefficient set with the coefficients as literals and the state in local variables (V8 keeps them in registers):
 * about 3x faster than the array-indexed loop, with bit-identical results (same operations in the same order).
 */
type StageKernel = (state: Float64Array, inL: Float64Array, inR: Float64Array, count: number, outL: Float64Array, outR: Float64Array) => void;

function generateStageKernel(coefs: Float64Array, direction: 'up' | 'down'): StageKernel {
  const names: string[] = [];
  for (let j = 0; j < coefs.length; j++) for (const ch of ['L', 'R']) names.push(`x${j}${ch}`, `y${j}${ch}`);
  const body: string[] = [`let ${names.map((v, k) => `${v} = state[${k}]`).join(', ')};`, 'for (let i = 0; i < count; i++) {'];
  // Up: both chains see the input sample; down: the even chain takes the odd-indexed high-rate sample and vice versa.
  body.push(direction === 'up' ? 'let eL = inL[i], oL = eL, eR = inR[i], oR = eR;' : 'let eL = inL[2 * i + 1], oL = inL[2 * i], eR = inR[2 * i + 1], oR = inR[2 * i];');
  for (let j = 0; j < coefs.length; j++) {
    const v = j % 2 === 0 ? 'e' : 'o';
    for (const ch of ['L', 'R']) {
      body.push(`{ const t = (${v}${ch} - y${j}${ch}) * ${coefs[j].toPrecision(17)} + x${j}${ch}; x${j}${ch} = ${v}${ch}; y${j}${ch} = t; ${v}${ch} = t; }`);
    }
  }
  body.push(direction === 'up' ? 'outL[2 * i] = eL; outL[2 * i + 1] = oL; outR[2 * i] = eR; outR[2 * i + 1] = oR;' : 'outL[i] = 0.5 * (eL + oL); outR[i] = 0.5 * (eR + oR);');
  body.push('}', names.map((v, k) => `state[${k}] = ${v};`).join(' '));
  return new Function('state', 'inL', 'inR', 'count', 'outL', 'outR', body.join('\n')) as StageKernel;
}

class HalfBandStage {
  private readonly state: Float64Array;
  constructor(private readonly kernel: StageKernel, coefficientCount: number) {
    this.state = new Float64Array(coefficientCount * 4);
  }

  /** Up: outX[2i], outX[2i+1] from inX[i] (gain 1). Down: outX[i] from inX[2i], inX[2i+1]. */
  process(inL: Float64Array, inR: Float64Array, count: number, outL: Float64Array, outR: Float64Array): void {
    this.kernel(this.state, inL, inR, count, outL, outR);
  }
}

/** First stage keeps 0..~20 kHz at 44.1 kHz flat; the second only has to reject what the first passes. */
const STAGE1 = designHalfBand(90, 0.0232);
const STAGE2 = designHalfBand(90, 0.13);
const KERNELS = {
  up1: generateStageKernel(STAGE1, 'up'),
  up2: generateStageKernel(STAGE2, 'up'),
  down2: generateStageKernel(STAGE2, 'down'),
  down1: generateStageKernel(STAGE1, 'down'),
};

/**
 * Streams one or two channels through x4 up, a per-sample function at the high rate (called once per channel and
 * block), and x4 down, in blocks. The result replaces the channels in place. A mono call runs the same kernels with
 * a scratch second channel.
 */
export function processOversampledX4(
  channels: Float64Array[],
  blockSize: number,
  atHighRate: (block: Float64Array, count: number) => void,
): void {
  if (channels.length === 0) return;
  if (channels.length > 2) {
    for (const c of channels) processOversampledX4([c], blockSize, atHighRate);
    return;
  }
  const mono = channels.length === 1;
  const left = channels[0];
  const right = mono ? null : channels[1];
  const up1 = new HalfBandStage(KERNELS.up1, STAGE1.length);
  const up2 = new HalfBandStage(KERNELS.up2, STAGE2.length);
  const down2 = new HalfBandStage(KERNELS.down2, STAGE2.length);
  const down1 = new HalfBandStage(KERNELS.down1, STAGE1.length);
  const x2L = new Float64Array(blockSize * 2);
  const x2R = new Float64Array(blockSize * 2);
  const x4L = new Float64Array(blockSize * 4);
  const x4R = new Float64Array(blockSize * 4);
  const scratch = new Float64Array(blockSize);
  for (let start = 0; start < left.length; start += blockSize) {
    const count = Math.min(blockSize, left.length - start);
    const l = left.subarray(start, start + count);
    const r = right ? right.subarray(start, start + count) : scratch;
    up1.process(l, r, count, x2L, x2R);
    up2.process(x2L, x2R, count * 2, x4L, x4R);
    atHighRate(x4L, count * 4);
    if (!mono) atHighRate(x4R, count * 4);
    down2.process(x4L, x4R, count * 2, x2L, x2R);
    down1.process(x2L, x2R, count, l, r);
  }
}

/** The two stages' allpass coefficients (for the WebAssembly saturator, simd/saturationKernel.ts). */
export const OVERSAMPLER_STAGES = { stage1: STAGE1, stage2: STAGE2 } as const;
