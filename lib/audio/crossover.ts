import { biquadComplexResponse, designBiquad, processBiquad, processBiquadPair, type BiquadCoefficients } from './biquad';

/**
 * Linkwitz-Riley 24 dB/octave band splitter. Each split is a pair of squared Butterworth sections (LP and HP are in
 * phase, so they sum to an allpass). Bands below a split get the same allpass, so all bands sum to one common
 * allpass: flat magnitude, whatever the number of bands.
 */
export interface CrossoverDesign {
  sampleRate: number;
  crossoverHz: number[];
  lowPass: BiquadCoefficients[];
  highPass: BiquadCoefficients[];
  allPass: BiquadCoefficients[];
}

export function designCrossover(crossoverHz: number[], sampleRate: number): CrossoverDesign {
  const sorted = [...crossoverHz].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] <= sorted[i - 1]) throw new Error('crossover frequencies must be distinct');
  }
  const q = Math.SQRT1_2;
  return {
    sampleRate,
    crossoverHz: sorted,
    lowPass: sorted.map((f) => designBiquad({ type: 'lowPass', frequencyHz: f, gainDb: 0, q }, sampleRate)),
    highPass: sorted.map((f) => designBiquad({ type: 'highPass', frequencyHz: f, gainDb: 0, q }, sampleRate)),
    // LR4 LP + HP = the Butterworth-Q second-order allpass at the same frequency.
    allPass: sorted.map((f) => designBiquad({ type: 'allPass', frequencyHz: f, gainDb: 0, q }, sampleRate)),
  };
}

/** Splits one channel into crossoverHz.length + 1 bands, lowest first. The input is left untouched. */
export function splitBands(data: Float64Array, design: CrossoverDesign): Float64Array[] {
  const nSplits = design.crossoverHz.length;
  if (nSplits === 0) return [Float64Array.from(data)];
  const bands: Float64Array[] = [];
  let rest: Float64Array = data;
  for (let k = 0; k < nSplits; k++) {
    const low = new Float64Array(data.length);
    processBiquadPair(design.lowPass[k], design.lowPass[k], rest, low);
    const high = new Float64Array(data.length);
    processBiquadPair(design.highPass[k], design.highPass[k], rest, high);
    for (const b of bands) processBiquad(design.allPass[k], b);
    bands.push(low);
    rest = high;
  }
  bands.push(rest);
  return bands;
}

/** Complex response [re, im] of each band at one frequency (for drawing and for per-band weighting curves). */
export function crossoverBandResponses(design: CrossoverDesign, frequencyHz: number): [number, number][] {
  const fs = design.sampleRate;
  const mul = (a: [number, number], b: [number, number]): [number, number] => [
    a[0] * b[0] - a[1] * b[1],
    a[0] * b[1] + a[1] * b[0],
  ];
  const out: [number, number][] = [];
  const n = design.crossoverHz.length;
  for (let j = 0; j <= n; j++) {
    let h: [number, number] = [1, 0];
    for (let k = 0; k < j; k++) {
      const hp = biquadComplexResponse(design.highPass[k], frequencyHz, fs);
      h = mul(mul(h, hp), hp);
    }
    if (j < n) {
      const lp = biquadComplexResponse(design.lowPass[j], frequencyHz, fs);
      h = mul(mul(h, lp), lp);
    }
    for (let k = j + 1; k < n; k++) h = mul(h, biquadComplexResponse(design.allPass[k], frequencyHz, fs));
    out.push(h);
  }
  return out;
}
