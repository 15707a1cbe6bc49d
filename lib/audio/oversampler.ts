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

/** One x2 half-band stage with its own state, usable as an upsampler or a downsampler (not both). */
class HalfBandStage {
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  constructor(private readonly coefs: Float64Array) {
    this.x = new Float64Array(coefs.length);
    this.y = new Float64Array(coefs.length);
  }

  /** out[2i], out[2i+1] from input[i]; output gain 1. */
  upsample(input: Float64Array, count: number, out: Float64Array): void {
    const { coefs, x, y } = this;
    const nc = coefs.length;
    for (let i = 0; i < count; i++) {
      let even = input[i];
      let odd = even;
      let j = 0;
      for (; j + 1 < nc; j += 2) {
        const t0 = (even - y[j]) * coefs[j] + x[j];
        x[j] = even;
        y[j] = t0;
        even = t0;
        const t1 = (odd - y[j + 1]) * coefs[j + 1] + x[j + 1];
        x[j + 1] = odd;
        y[j + 1] = t1;
        odd = t1;
      }
      if (j < nc) {
        const t0 = (even - y[j]) * coefs[j] + x[j];
        x[j] = even;
        y[j] = t0;
        even = t0;
      }
      out[2 * i] = even;
      out[2 * i + 1] = odd;
    }
  }

  /** out[i] from input[2i], input[2i+1]. */
  downsample(input: Float64Array, count: number, out: Float64Array): void {
    const { coefs, x, y } = this;
    const nc = coefs.length;
    for (let i = 0; i < count; i++) {
      let even = input[2 * i + 1];
      let odd = input[2 * i];
      let j = 0;
      for (; j + 1 < nc; j += 2) {
        const t0 = (even - y[j]) * coefs[j] + x[j];
        x[j] = even;
        y[j] = t0;
        even = t0;
        const t1 = (odd - y[j + 1]) * coefs[j + 1] + x[j + 1];
        x[j + 1] = odd;
        y[j + 1] = t1;
        odd = t1;
      }
      if (j < nc) {
        const t0 = (even - y[j]) * coefs[j] + x[j];
        x[j] = even;
        y[j] = t0;
        even = t0;
      }
      out[i] = 0.5 * (even + odd);
    }
  }
}

/** First stage keeps 0..~20 kHz at 44.1 kHz flat; the second only has to reject what the first passes. */
const STAGE1 = designHalfBand(90, 0.0232);
const STAGE2 = designHalfBand(90, 0.13);

/**
 * Streams one channel through x4 up, a per-sample function at the high rate, and x4 down, in blocks.
 * The result replaces `data` in place.
 */
export function processOversampledX4(data: Float64Array, blockSize: number, atHighRate: (block: Float64Array, count: number) => void): void {
  const up1 = new HalfBandStage(STAGE1);
  const up2 = new HalfBandStage(STAGE2);
  const down2 = new HalfBandStage(STAGE2);
  const down1 = new HalfBandStage(STAGE1);
  const x2 = new Float64Array(blockSize * 2);
  const x4 = new Float64Array(blockSize * 4);
  const inBlock = new Float64Array(blockSize);
  for (let start = 0; start < data.length; start += blockSize) {
    const count = Math.min(blockSize, data.length - start);
    for (let i = 0; i < count; i++) inBlock[i] = data[start + i];
    up1.upsample(inBlock, count, x2);
    up2.upsample(x2, count * 2, x4);
    atHighRate(x4, count * 4);
    down2.downsample(x4, count * 2, x2);
    down1.downsample(x2, count, inBlock);
    for (let i = 0; i < count; i++) data[start + i] = inBlock[i];
  }
}

export const OVERSAMPLER_COEFFICIENT_COUNTS = [STAGE1.length, STAGE2.length];
