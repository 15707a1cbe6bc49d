/**
 * A handful of parametric bands (low shelf, high shelf, peaks) whose summed response approximates a fine EQ curve,
 * so an engineer can read and tweak it. Greedy: each step adds the band (type, frequency, Q; gain = the residual
 * there) that lowers the squared error most, then coordinate descent polishes all gains and frequencies.
 */
import { cascadeResponseDbOn, designBiquad, frequencyGrid, type FrequencyGrid } from '@/lib/audio/biquad';
import type { EqBand } from '../settings';

const RATE = 384000;
const PEAK_QS = [0.7, 1.4, 2.8];

/** A candidate band's response on the curve's frequencies (their grid made once per fit: see biquad.ts frequencyGrid). */
function response(band: EqBand, grid: FrequencyGrid): Float64Array {
  return cascadeResponseDbOn([designBiquad({ type: band.type, frequencyHz: band.frequencyHz, gainDb: band.gainDb, q: band.q }, RATE)], grid);
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
  const grid = frequencyGrid(frequenciesHz, RATE);
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
