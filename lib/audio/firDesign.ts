import FFT from 'fft.js';
import { z } from 'zod';

/**
 * FIR filters from a target magnitude curve (gains in dB at a list of frequencies; log-frequency interpolation,
 * flat beyond the ends). Designed in float64 with fft.js: design is a one-off per render, so precision matters
 * more than speed here.
 *
 * - Linear phase: frequency sampling on a dense grid, zero phase, then a window. Symmetric, odd length, latency
 *   (taps - 1) / 2 which the convolver compensates, so the output is sample-aligned with the input.
 * - Minimum phase: homomorphic (cepstral) method. No pre-ringing and no latency, at the cost of phase shift.
 */

export const magnitudeCurveSchema = z
  .object({
    frequenciesHz: z.array(z.number().positive()).min(1),
    gainsDb: z.array(z.number().min(-120).max(48)).min(1),
  })
  .refine((c) => c.frequenciesHz.length === c.gainsDb.length, 'one gain per frequency');
export type MagnitudeCurve = z.infer<typeof magnitudeCurveSchema>;

/** 4097 taps at 44.1 kHz, scaled with the rate (odd, so linear phase has an integer delay). */
export function defaultFirTaps(sampleRate: number): number {
  const t = Math.round((4096 * sampleRate) / 44100);
  return t % 2 === 0 ? t + 1 : t;
}

/** The curve's gain in dB at a frequency: linear in dB over log frequency, flat beyond the ends. */
export function curveGainDb(curve: MagnitudeCurve, frequencyHz: number): number {
  const f = curve.frequenciesHz;
  const g = curve.gainsDb;
  if (frequencyHz <= f[0]) return g[0];
  const last = f.length - 1;
  if (frequencyHz >= f[last]) return g[last];
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (f[mid] <= frequencyHz) lo = mid;
    else hi = mid;
  }
  const t = Math.log(frequencyHz / f[lo]) / Math.log(f[hi] / f[lo]);
  return g[lo] + t * (g[hi] - g[lo]);
}

function sortedCurve(curve: MagnitudeCurve): MagnitudeCurve {
  const idx = curve.frequenciesHz.map((_, i) => i).sort((a, b) => curve.frequenciesHz[a] - curve.frequenciesHz[b]);
  return { frequenciesHz: idx.map((i) => curve.frequenciesHz[i]), gainsDb: idx.map((i) => curve.gainsDb[i]) };
}

const nextPow2 = (n: number) => 2 ** Math.ceil(Math.log2(n));

/** Target magnitude (linear) on bins 0..size/2 of a size-point grid. */
function sampledMagnitude(curve: MagnitudeCurve, sampleRate: number, size: number, floorDb = -120): Float64Array {
  const c = sortedCurve(curve);
  const half = size / 2;
  const mag = new Float64Array(half + 1);
  for (let k = 0; k <= half; k++) {
    const f = (k * sampleRate) / size;
    const db = Math.max(floorDb, curveGainDb(c, Math.max(f, 1e-3)));
    mag[k] = Math.pow(10, db / 20);
  }
  return mag;
}

/** Inverse DFT of a Hermitian spectrum given as re/im of bins 0..size/2; returns the real sequence. */
function inverseReal(fft: FFT, re: Float64Array, im: Float64Array, size: number): Float64Array {
  const spec = fft.createComplexArray() as number[];
  for (let k = 0; k <= size / 2; k++) {
    spec[2 * k] = re[k];
    spec[2 * k + 1] = im[k];
    if (k > 0 && k < size / 2) {
      spec[2 * (size - k)] = re[k];
      spec[2 * (size - k) + 1] = -im[k];
    }
  }
  const out = fft.createComplexArray() as number[];
  fft.inverseTransform(out, spec);
  const x = new Float64Array(size);
  for (let i = 0; i < size; i++) x[i] = out[2 * i];
  return x;
}

function blackman(i: number, length: number): number {
  const t = (2 * Math.PI * i) / (length - 1);
  return 0.42 - 0.5 * Math.cos(t) + 0.08 * Math.cos(2 * t);
}

export function designLinearPhaseFir(curve: MagnitudeCurve, sampleRate: number, taps = defaultFirTaps(sampleRate)): Float64Array {
  if (taps % 2 === 0) throw new RangeError('linear-phase FIR needs an odd number of taps');
  const size = nextPow2(taps) * 4;
  const mag = sampledMagnitude(curve, sampleRate, size);
  const fft = new FFT(size);
  const h0 = inverseReal(fft, mag, new Float64Array(size / 2 + 1), size);
  const half = (taps - 1) / 2;
  const h = new Float64Array(taps);
  for (let i = -half; i <= half; i++) h[i + half] = h0[(i + size) % size] * blackman(i + half, taps);
  return h;
}

export function designMinimumPhaseFir(curve: MagnitudeCurve, sampleRate: number, taps = defaultFirTaps(sampleRate)): Float64Array {
  // A long grid keeps the cepstrum's time aliasing negligible.
  const size = nextPow2(taps) * 8;
  const mag = sampledMagnitude(curve, sampleRate, size);
  const fft = new FFT(size);
  const logMag = mag.map((m) => Math.log(m));
  const cep = inverseReal(fft, logMag, new Float64Array(size / 2 + 1), size);
  // Fold the real cepstrum onto positive quefrencies: the result is the log spectrum of the minimum-phase filter.
  const folded = fft.createComplexArray() as number[];
  folded[0] = cep[0];
  for (let i = 1; i < size / 2; i++) folded[2 * i] = 2 * cep[i];
  folded[size] = cep[size / 2];
  const logSpec = fft.createComplexArray() as number[];
  fft.transform(logSpec, folded);
  const re = new Float64Array(size / 2 + 1);
  const im = new Float64Array(size / 2 + 1);
  for (let k = 0; k <= size / 2; k++) {
    const a = Math.exp(logSpec[2 * k]);
    re[k] = a * Math.cos(logSpec[2 * k + 1]);
    im[k] = a * Math.sin(logSpec[2 * k + 1]);
  }
  const hFull = inverseReal(fft, re, im, size);
  // Truncate with a half-window over the last quarter so the tail ends smoothly.
  const h = new Float64Array(taps);
  const fadeStart = Math.floor(taps * 0.75);
  for (let i = 0; i < taps; i++) {
    const w = i < fadeStart ? 1 : 0.5 + 0.5 * Math.cos((Math.PI * (i - fadeStart)) / (taps - fadeStart));
    h[i] = hFull[i] * w;
  }
  return h;
}

/** Magnitude response of an FIR in dB at the given frequencies (direct evaluation; for tests and drawing). */
export function firResponseDb(h: Float64Array, frequenciesHz: ArrayLike<number>, sampleRate: number): Float64Array {
  const out = new Float64Array(frequenciesHz.length);
  for (let k = 0; k < frequenciesHz.length; k++) {
    const w = (2 * Math.PI * frequenciesHz[k]) / sampleRate;
    // rotate by recurrence to avoid a cos/sin per tap
    const cw = Math.cos(w), sw = Math.sin(w);
    let c = 1, s = 0, re = 0, im = 0;
    for (let i = 0; i < h.length; i++) {
      re += h[i] * c;
      im -= h[i] * s;
      const nc = c * cw - s * sw;
      s = s * cw + c * sw;
      c = nc;
    }
    out[k] = 10 * Math.log10(re * re + im * im);
  }
  return out;
}
