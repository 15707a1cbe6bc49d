import {
  biquadComplexResponse,
  designBiquad,
  newBiquadState,
  processBiquad,
  processBiquadPair,
  type BiquadCoefficients,
  type BiquadState,
} from './biquad';

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

/**
 * splitBands for one channel, block by block: the filter states carry over, so consecutive blocks give exactly what
 * splitBands gives on the whole signal, without full-length band arrays (a 4-minute stereo track split in three
 * would otherwise allocate half a gigabyte).
 */
export class CrossoverSplitter {
  private readonly low: [BiquadState, BiquadState][];
  private readonly high: [BiquadState, BiquadState][];
  /** allPass[k][j]: state of split k's allpass on band j (j < k). */
  private readonly allPass: BiquadState[][];

  constructor(private readonly design: CrossoverDesign) {
    const splits = design.crossoverHz.length;
    this.low = Array.from({ length: splits }, () => [newBiquadState(), newBiquadState()]);
    this.high = Array.from({ length: splits }, () => [newBiquadState(), newBiquadState()]);
    this.allPass = Array.from({ length: splits }, (_, k) => Array.from({ length: k }, () => newBiquadState()));
  }

  get bandCount(): number {
    return this.design.crossoverHz.length + 1;
  }

  /** Splits `input` (a block) into `bands` (one array per band, each input.length long, lowest first). */
  process(input: Float64Array, bands: Float64Array[]): void {
    const { design } = this;
    const splits = design.crossoverHz.length;
    if (splits === 0) {
      bands[0].set(input);
      return;
    }
    let rest: Float64Array = input;
    for (let k = 0; k < splits; k++) {
      processBiquadPair(design.lowPass[k], design.lowPass[k], rest, bands[k], this.low[k][0], this.low[k][1]);
      // The highest band's array holds the rest between splits: it is only written once no longer read.
      const high = bands[splits];
      processBiquadPair(design.highPass[k], design.highPass[k], rest, high, this.high[k][0], this.high[k][1]);
      for (let j = 0; j < k; j++) processBiquad(design.allPass[k], bands[j], this.allPass[k][j]);
      rest = high;
    }
  }
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
