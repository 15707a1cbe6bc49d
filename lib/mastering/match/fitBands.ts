/**
 * A handful of parametric bands (low shelf, high shelf, peaks) whose summed response approximates a fine EQ curve,
 * so an engineer can read and tweak it. Greedy: each step adds the band (type, frequency, Q; gain = the residual
 * there) that lowers the squared error most, then coordinate descent polishes all gains and frequencies.
 */
import { designBiquad } from '@/lib/audio/biquad';
import type { EqBand } from '../settings';

const RATE = 384000;
const PEAK_QS = [0.7, 1.4, 2.8];

/**
 * The curve's frequencies with the terms of e^-jw and e^-2jw at each: a fit evaluates a few thousand candidate bands
 * on the same frequencies, and computing those four per band and frequency again was most of its time (~50 ms per fit,
 * several fits per master on the thread the render waits for).
 */
interface FrequencyGrid {
  cos1: Float64Array;
  sin1: Float64Array;
  cos2: Float64Array;
  sin2: Float64Array;
}

function gridOf(freqs: number[]): FrequencyGrid {
  const grid = { cos1: new Float64Array(freqs.length), sin1: new Float64Array(freqs.length), cos2: new Float64Array(freqs.length), sin2: new Float64Array(freqs.length) };
  freqs.forEach((f, k) => {
    const w = (2 * Math.PI * f) / RATE;
    grid.cos1[k] = Math.cos(w);
    grid.sin1[k] = Math.sin(w);
    grid.cos2[k] = Math.cos(2 * w);
    grid.sin2[k] = Math.sin(2 * w);
  });
  return grid;
}

/** The band's response in dB on the grid: biquad.ts cascadeResponseDb for one section, operation for operation. */
function response(band: EqBand, grid: FrequencyGrid): Float64Array {
  const { b0, b1, b2, a1, a2 } = designBiquad({ type: band.type, frequencyHz: band.frequencyHz, gainDb: band.gainDb, q: band.q }, RATE);
  const { cos1, sin1, cos2, sin2 } = grid;
  const out = new Float64Array(cos1.length);
  for (let k = 0; k < out.length; k++) {
    const nr = b0 + b1 * cos1[k] + b2 * cos2[k];
    const ni = -(b1 * sin1[k] + b2 * sin2[k]);
    const dr = 1 + a1 * cos1[k] + a2 * cos2[k];
    const di = -(a1 * sin1[k] + a2 * sin2[k]);
    const den = dr * dr + di * di;
    const re = (nr * dr + ni * di) / den;
    const im = (ni * dr - nr * di) / den;
    out[k] = 10 * Math.log10(Math.max(1 * (re * re + im * im), 1e-30));
  }
  return out;
}

function errorOf(target: number[], sum: Float64Array, extra?: Float64Array): number {
  let e = 0;
  for (let i = 0; i < target.length; i++) {
    const d = target[i] - sum[i] - (extra ? extra[i] : 0);
    e += d * d;
  }
  return e;
}

const clampGain = (g: number) => Math.max(-24, Math.min(24, g));
const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

export function fitParametricBands(frequenciesHz: number[], curveDb: number[], maxBands = 8, toleranceDb = 0.5): EqBand[] {
  const n = frequenciesHz.length;
  if (curveDb.every((v) => Math.abs(v) < 0.05)) return [];
  const grid = gridOf(frequenciesHz);
  const bands: EqBand[] = [];
  const responses: Float64Array[] = [];
  const sum = new Float64Array(n);
  const resid = (i: number) => curveDb[i] - sum[i];
  const residualAround = (lo: number, hi: number) => {
    let s = 0;
    let c = 0;
    for (let i = 0; i < n; i++) {
      if (frequenciesHz[i] >= lo && frequenciesHz[i] <= hi) {
        s += resid(i);
        c++;
      }
    }
    return c ? s / c : 0;
  };
  for (let step = 0; step < maxBands; step++) {
    const current = errorOf(curveDb, sum);
    if (Math.sqrt(current / n) < toleranceDb) break;
    let best: { band: EqBand; resp: Float64Array; err: number } | null = null;
    const consider = (band: EqBand) => {
      if (Math.abs(band.gainDb) < 0.1) return;
      const resp = response(band, grid);
      const err = errorOf(curveDb, sum, resp);
      if (!best || err < best.err) best = { band, resp, err };
    };
    if (!bands.some((b) => b.type === 'lowShelf')) {
      for (const f of [40, 60, 80, 120, 180, 250]) consider({ type: 'lowShelf', frequencyHz: f, gainDb: clampGain(residualAround(20, f)), q: 0.7 });
    }
    if (!bands.some((b) => b.type === 'highShelf')) {
      for (const f of [3000, 5000, 8000, 12000]) consider({ type: 'highShelf', frequencyHz: f, gainDb: clampGain(residualAround(f, 20000)), q: 0.7 });
    }
    for (let i = 0; i < n; i += 2) {
      for (const q of PEAK_QS) consider({ type: 'peak', frequencyHz: frequenciesHz[i], gainDb: clampGain(resid(i)), q });
    }
    const chosen = best as { band: EqBand; resp: Float64Array; err: number } | null;
    if (!chosen || chosen.err >= current * 0.98) break;
    bands.push(chosen.band);
    responses.push(chosen.resp);
    for (let i = 0; i < n; i++) sum[i] += chosen.resp[i];
  }
  // Polish: coordinate descent on gain and frequency of every band.
  for (let pass = 0; pass < 3; pass++) {
    for (let b = 0; b < bands.length; b++) {
      for (let i = 0; i < n; i++) sum[i] -= responses[b][i];
      let bestBand = bands[b];
      let bestResp = responses[b];
      let bestErr = errorOf(curveDb, sum, bestResp);
      const steps = [0.5, -0.5, 0.15, -0.15];
      for (const dg of steps) {
        for (const ff of [1, 2 ** (1 / 12), 2 ** (-1 / 12)]) {
          const cand: EqBand = { ...bestBand, gainDb: clampGain(bestBand.gainDb + dg), frequencyHz: Math.min(20000, Math.max(20, bestBand.frequencyHz * ff)) };
          const resp = response(cand, grid);
          const err = errorOf(curveDb, sum, resp);
          if (err < bestErr) {
            bestErr = err;
            bestBand = cand;
            bestResp = resp;
          }
        }
      }
      bands[b] = bestBand;
      responses[b] = bestResp;
      for (let i = 0; i < n; i++) sum[i] += bestResp[i];
    }
  }
  return bands
    .map((b) => ({ ...b, frequencyHz: round(b.frequencyHz, 1), gainDb: round(b.gainDb, 2), q: round(b.q, 2) }))
    .sort((a, b) => a.frequencyHz - b.frequencyHz);
}
