import { z } from 'zod';

/**
 * Second-order IIR sections after Robert Bristow-Johnson's "Audio EQ Cookbook". Coefficients are computed and run in
 * float64 (transposed direct form II, whose state stays small at low frequencies where direct form I would need
 * more headroom).
 */

export const biquadTypeSchema = z.enum(['peak', 'lowShelf', 'highShelf', 'highPass', 'lowPass', 'allPass']);
export type BiquadType = z.infer<typeof biquadTypeSchema>;

export const biquadSettingsSchema = z.object({
  type: biquadTypeSchema,
  frequencyHz: z.number().positive(),
  /** Ignored by highPass, lowPass and allPass. */
  gainDb: z.number().min(-48).max(48).default(0),
  /** Bandwidth for peak, resonance for pass filters, shelf steepness for shelves (0.7071 = cookbook S of 1). */
  q: z.number().min(0.025).max(100).default(Math.SQRT1_2),
});
export type BiquadSettings = z.infer<typeof biquadSettingsSchema>;

/** Normalised so that a0 = 1: y = b0 x + b1 x1 + b2 x2 - a1 y1 - a2 y2. */
export interface BiquadCoefficients {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

export const IDENTITY_BIQUAD: BiquadCoefficients = { b0: 1, b1: 0, b2: 0, a1: 0, a2: 0 };

export function designBiquad(settings: BiquadSettings, sampleRate: number): BiquadCoefficients {
  const { type } = settings;
  // Above ~0.49 fs the bilinear warp collapses the filter; clamp rather than fail on a reference at a lower rate.
  const f = Math.min(settings.frequencyHz, 0.49 * sampleRate);
  const q = settings.q ?? Math.SQRT1_2;
  const gainDb = settings.gainDb ?? 0;
  const w0 = (2 * Math.PI * f) / sampleRate;
  const cosw = Math.cos(w0);
  const sinw = Math.sin(w0);
  const alpha = sinw / (2 * q);
  const A = Math.pow(10, gainDb / 40);
  let b0: number, b1: number, b2: number, a0: number, a1: number, a2: number;
  switch (type) {
    case 'lowPass':
      b1 = 1 - cosw;
      b0 = b1 / 2;
      b2 = b0;
      a0 = 1 + alpha;
      a1 = -2 * cosw;
      a2 = 1 - alpha;
      break;
    case 'highPass':
      b1 = -(1 + cosw);
      b0 = (1 + cosw) / 2;
      b2 = b0;
      a0 = 1 + alpha;
      a1 = -2 * cosw;
      a2 = 1 - alpha;
      break;
    case 'allPass':
      b0 = 1 - alpha;
      b1 = -2 * cosw;
      b2 = 1 + alpha;
      a0 = 1 + alpha;
      a1 = -2 * cosw;
      a2 = 1 - alpha;
      break;
    case 'peak':
      b0 = 1 + alpha * A;
      b1 = -2 * cosw;
      b2 = 1 - alpha * A;
      a0 = 1 + alpha / A;
      a1 = -2 * cosw;
      a2 = 1 - alpha / A;
      break;
    case 'lowShelf': {
      const s = 2 * Math.sqrt(A) * alpha;
      b0 = A * (A + 1 - (A - 1) * cosw + s);
      b1 = 2 * A * (A - 1 - (A + 1) * cosw);
      b2 = A * (A + 1 - (A - 1) * cosw - s);
      a0 = A + 1 + (A - 1) * cosw + s;
      a1 = -2 * (A - 1 + (A + 1) * cosw);
      a2 = A + 1 + (A - 1) * cosw - s;
      break;
    }
    case 'highShelf': {
      const s = 2 * Math.sqrt(A) * alpha;
      b0 = A * (A + 1 + (A - 1) * cosw + s);
      b1 = -2 * A * (A - 1 + (A + 1) * cosw);
      b2 = A * (A + 1 + (A - 1) * cosw - s);
      a0 = A + 1 - (A - 1) * cosw + s;
      a1 = 2 * (A - 1 - (A + 1) * cosw);
      a2 = A + 1 - (A - 1) * cosw - s;
      break;
    }
  }
  return { b0: b0 / a0, b1: b1 / a0, b2: b2 / a0, a1: a1 / a0, a2: a2 / a0 };
}

/**
 * The terms of e^-jw and e^-2jw at each frequency. Responses of many filters on the same frequencies (an EQ fit tries
 * a few thousand candidate bands) share them instead of computing four sines and cosines per filter and frequency.
 */
export interface FrequencyGrid {
  cos1: Float64Array;
  sin1: Float64Array;
  cos2: Float64Array;
  sin2: Float64Array;
}

export function frequencyGrid(frequenciesHz: ArrayLike<number>, sampleRate: number): FrequencyGrid {
  const n = frequenciesHz.length;
  const grid = { cos1: new Float64Array(n), sin1: new Float64Array(n), cos2: new Float64Array(n), sin2: new Float64Array(n) };
  for (let k = 0; k < n; k++) {
    const w = (2 * Math.PI * frequenciesHz[k]) / sampleRate;
    grid.cos1[k] = Math.cos(w);
    grid.sin1[k] = Math.sin(w);
    grid.cos2[k] = Math.cos(2 * w);
    grid.sin2[k] = Math.sin(2 * w);
  }
  return grid;
}

/** Complex response of one section at point k of a grid, into out[0] (re) and out[1] (im): no array per point. */
function complexResponseAt(c: BiquadCoefficients, grid: FrequencyGrid, k: number, out: Float64Array): void {
  const c1 = grid.cos1[k];
  const s1 = grid.sin1[k];
  const c2 = grid.cos2[k];
  const s2 = grid.sin2[k];
  // H(e^jw) = (b0 + b1 e^-jw + b2 e^-2jw) / (1 + a1 e^-jw + a2 e^-2jw)
  const nr = c.b0 + c.b1 * c1 + c.b2 * c2;
  const ni = -(c.b1 * s1 + c.b2 * s2);
  const dr = 1 + c.a1 * c1 + c.a2 * c2;
  const di = -(c.a1 * s1 + c.a2 * s2);
  const den = dr * dr + di * di;
  out[0] = (nr * dr + ni * di) / den;
  out[1] = (ni * dr - nr * di) / den;
}

/** Complex response of one section at a frequency, as [re, im]. */
export function biquadComplexResponse(c: BiquadCoefficients, frequencyHz: number, sampleRate: number): [number, number] {
  const out = new Float64Array(2);
  complexResponseAt(c, frequencyGrid([frequencyHz], sampleRate), 0, out);
  return [out[0], out[1]];
}

/** Magnitude in dB of a cascade at each point of a grid. */
export function cascadeResponseDbOn(sections: readonly BiquadCoefficients[], grid: FrequencyGrid): Float64Array {
  const out = new Float64Array(grid.cos1.length);
  const h = new Float64Array(2);
  for (let k = 0; k < out.length; k++) {
    let mag2 = 1;
    for (const s of sections) {
      complexResponseAt(s, grid, k, h);
      mag2 *= h[0] * h[0] + h[1] * h[1];
    }
    out[k] = 10 * Math.log10(Math.max(mag2, 1e-30));
  }
  return out;
}

/** Magnitude in dB of a cascade at each frequency (for drawing EQ curves and for tests). */
export function cascadeResponseDb(sections: readonly BiquadCoefficients[], frequenciesHz: ArrayLike<number>, sampleRate: number): Float64Array {
  return cascadeResponseDbOn(sections, frequencyGrid(frequenciesHz, sampleRate));
}

/** Filter state of one section for one channel, so long signals can be run block by block. */
export interface BiquadState {
  z1: number;
  z2: number;
}

export const newBiquadState = (): BiquadState => ({ z1: 0, z2: 0 });

/** Runs one section over `data` in place. */
export function processBiquad(c: BiquadCoefficients, data: Float64Array, state: BiquadState = newBiquadState()): void {
  const { b0, b1, b2, a1, a2 } = c;
  let z1 = state.z1;
  let z2 = state.z2;
  const n = data.length;
  for (let i = 0; i < n; i++) {
    const x = data[i];
    const y = b0 * x + z1;
    z1 = b1 * x - a1 * y + z2;
    z2 = b2 * x - a2 * y;
    data[i] = y;
  }
  state.z1 = z1;
  state.z2 = z2;
}

/**
 * Runs two sections in series in a single pass over memory (the pair of Butterworth sections of a Linkwitz-Riley
 * filter is the common case, and one pass halves the memory traffic).
 */
export function processBiquadPair(
  c: BiquadCoefficients,
  d: BiquadCoefficients,
  data: Float64Array,
  out: Float64Array = data,
  sc: BiquadState = newBiquadState(),
  sd: BiquadState = newBiquadState(),
): void {
  const { b0, b1, b2, a1, a2 } = c;
  const e0 = d.b0, e1 = d.b1, e2 = d.b2, f1 = d.a1, f2 = d.a2;
  let z1 = sc.z1, z2 = sc.z2, w1 = sd.z1, w2 = sd.z2;
  const n = data.length;
  for (let i = 0; i < n; i++) {
    const x = data[i];
    const y = b0 * x + z1;
    z1 = b1 * x - a1 * y + z2;
    z2 = b2 * x - a2 * y;
    const v = e0 * y + w1;
    w1 = e1 * y - f1 * v + w2;
    w2 = e2 * y - f2 * v;
    out[i] = v;
  }
  sc.z1 = z1; sc.z2 = z2; sd.z1 = w1; sd.z2 = w2;
}

/** Runs a cascade over `data` in place (pairs fused). */
export function processCascade(sections: BiquadCoefficients[], data: Float64Array): void {
  let i = 0;
  for (; i + 1 < sections.length; i += 2) processBiquadPair(sections[i], sections[i + 1], data);
  if (i < sections.length) processBiquad(sections[i], data);
}
