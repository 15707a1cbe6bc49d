/**
 * K-weighting of ITU-R BS.1770-4: a high-shelf "head" filter followed by the RLB high-pass, each a biquad.
 *
 * BS.1770 tabulates the coefficients for 48 kHz only. To measure files at their own rate (resampling first would
 * cost more than the whole meter) we derive both stages from their analog prototypes with the bilinear transform, as
 * libebur128 and pyloudnorm do. The prototype constants below are the ones that reproduce the 48 kHz table.
 */

/** Normalised biquad (a0 = 1): y[n] = b0 x[n] + b1 x[n-1] + b2 x[n-2] - a1 y[n-1] - a2 y[n-2]. */
export interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

export interface KWeightingFilter {
  /** Stage 1: high shelf (+4 dB above ~1.5 kHz), models the acoustic effect of the head. */
  shelf: Biquad;
  /** Stage 2: the revised low-frequency B-weighting (RLB) high-pass. */
  highPass: Biquad;
}

const SHELF_CENTER_HZ = 1681.974450955533;
const SHELF_GAIN_DB = 3.999843853973347;
const SHELF_Q = 0.7071752369554196;
const HIGH_PASS_CENTER_HZ = 38.13547087602444;
const HIGH_PASS_Q = 0.5003270373238773;

/** Both K-weighting stages for a sample rate. Valid for any rate above ~4 kHz (the shelf must sit below Nyquist). */
export function kWeightingCoefficients(sampleRate: number): KWeightingFilter {
  if (!(sampleRate > 0) || !Number.isFinite(sampleRate)) {
    throw new RangeError(`sampleRate must be a positive number, got ${sampleRate}`);
  }
  let k = Math.tan((Math.PI * SHELF_CENTER_HZ) / sampleRate);
  const vh = Math.pow(10, SHELF_GAIN_DB / 20);
  const vb = Math.pow(vh, 0.4996667741545416);
  let a0 = 1 + k / SHELF_Q + k * k;
  const shelf: Biquad = {
    b0: (vh + (vb * k) / SHELF_Q + k * k) / a0,
    b1: (2 * (k * k - vh)) / a0,
    b2: (vh - (vb * k) / SHELF_Q + k * k) / a0,
    a1: (2 * (k * k - 1)) / a0,
    a2: (1 - k / SHELF_Q + k * k) / a0,
  };

  k = Math.tan((Math.PI * HIGH_PASS_CENTER_HZ) / sampleRate);
  a0 = 1 + k / HIGH_PASS_Q + k * k;
  // The numerator is the plain (1, -2, 1) of the BS.1770 table: unnormalised, so the passband gain is not exactly
  // one. The standard's -0.691 dB offset already accounts for that, so we keep it as published.
  const highPass: Biquad = {
    b0: 1,
    b1: -2,
    b2: 1,
    a1: (2 * (k * k - 1)) / a0,
    a2: (1 - k / HIGH_PASS_Q + k * k) / a0,
  };
  return { shelf, highPass };
}

/**
 * Streaming K-weighting for one channel. State is kept in float64 between calls, so feeding a signal in blocks of any
 * size gives bit-identical output to feeding it whole.
 */
export class KWeightingChannel {
  private readonly s: Biquad;
  private readonly h: Biquad;
  // Direct form II transposed would need the same four state words; direct form I keeps the intermediate signal
  // explicit, which matches the published structure and is easy to verify.
  private x1 = 0;
  private x2 = 0;
  private m1 = 0;
  private m2 = 0;
  private y1 = 0;
  private y2 = 0;

  constructor(filter: KWeightingFilter) {
    this.s = filter.shelf;
    this.h = filter.highPass;
  }

  /**
   * Filters `input[start..end)` and returns `sum` plus the sum of squares of the K-weighted output. Fused with the
   * filter so the weighted signal is never materialised: the meter only ever needs energies. A meter fed a segment in
   * several calls passes each call's result on as the next one's `sum`, and `segmentEnds` only with the last, so the
   * arithmetic is that of one call whatever the cut.
   */
  filterSumSquares(input: Float32Array, start: number, end: number, sum = 0, segmentEnds = true): number {
    const { b0: sb0, b1: sb1, b2: sb2, a1: sa1, a2: sa2 } = this.s;
    const { a1: ha1, a2: ha2 } = this.h;
    let x1 = this.x1;
    let x2 = this.x2;
    let m1 = this.m1;
    let m2 = this.m2;
    let y1 = this.y1;
    let y2 = this.y2;
    for (let i = start; i < end; i++) {
      const x = input[i];
      const m = sb0 * x + sb1 * x1 + sb2 * x2 - sa1 * m1 - sa2 * m2;
      // highPass numerator is (1, -2, 1)
      const y = m - 2 * m1 + m2 - ha1 * y1 - ha2 * y2;
      x2 = x1;
      x1 = x;
      m2 = m1;
      m1 = m;
      y2 = y1;
      y1 = y;
      sum += y * y;
    }
    // Flush denormals: after long silence the recursive state decays into subnormal range, which is very slow on x86.
    // At segment ends only, so that where a stream was cut cannot change the result.
    if (segmentEnds) {
      if (Math.abs(y1) < 1e-30) y1 = 0;
      if (Math.abs(y2) < 1e-30) y2 = 0;
      if (Math.abs(m1) < 1e-30) m1 = 0;
      if (Math.abs(m2) < 1e-30) m2 = 0;
    }
    this.x1 = x1;
    this.x2 = x2;
    this.m1 = m1;
    this.m2 = m2;
    this.y1 = y1;
    this.y2 = y2;
    return sum;
  }

  reset(): void {
    this.x1 = this.x2 = this.m1 = this.m2 = this.y1 = this.y2 = 0;
  }
}

/** Magnitude response of the K-weighting cascade at a frequency, in dB. Used by tests and for documentation plots. */
export function kWeightingGainDb(filter: KWeightingFilter, frequencyHz: number, sampleRate: number): number {
  const w = (2 * Math.PI * frequencyHz) / sampleRate;
  const stage = (q: Biquad): number => {
    const cr = Math.cos(w);
    const ci = -Math.sin(w);
    const c2r = Math.cos(2 * w);
    const c2i = -Math.sin(2 * w);
    const nr = q.b0 + q.b1 * cr + q.b2 * c2r;
    const ni = q.b1 * ci + q.b2 * c2i;
    const dr = 1 + q.a1 * cr + q.a2 * c2r;
    const di = q.a1 * ci + q.a2 * c2i;
    return (nr * nr + ni * ni) / (dr * dr + di * di);
  };
  return 10 * Math.log10(stage(filter.shelf) * stage(filter.highPass));
}
