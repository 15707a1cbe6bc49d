import { z } from 'zod';
import { CrossoverSplitter, designCrossover } from './crossover';
import { GainReductionAccumulator, type GainReductionStats } from './gainReductionStats';
import type { PcmAudio } from './types';
import { dbToGainFast, toPcmAudio, toWorkingAudio, type WorkingAudio } from './workingAudio';

/**
 * Feed-forward compressor, stereo-linked (one gain for all channels, so the image does not wander). Static curve
 * with a quadratic soft knee, attack/release smoothing of the reduction in dB (Giannoulis, Massberg & Reiss 2012,
 * "decoupled" form). Optionally multiband through the Linkwitz-Riley crossover; bands are summed back, which is an
 * allpass when no band compresses.
 */

export const compressorBandSchema = z.object({
  thresholdDb: z.number().min(-80).max(0).default(-18),
  /** 1 = no compression. */
  ratio: z.number().min(1).max(100).default(1),
  attackMs: z.number().min(0.05).max(1000).default(10),
  releaseMs: z.number().min(1).max(5000).default(150),
  kneeDb: z.number().min(0).max(24).default(6),
  makeupDb: z.number().min(-24).max(24).default(0),
});
export type CompressorBand = z.infer<typeof compressorBandSchema>;

export const compressorSettingsSchema = compressorBandSchema.extend({
  enabled: z.boolean().default(true),
  detector: z.enum(['rms', 'peak']).default('rms'),
  /** Averaging time of the RMS detector. */
  rmsWindowMs: z.number().min(0.1).max(300).default(10),
  /** When set, compress 2-4 bands independently (each with its own parameters) instead of the broadband ones. */
  multiband: z
    .object({
      crossoverHz: z.array(z.number().positive()).min(1).max(3),
      bands: z.array(compressorBandSchema).min(2).max(4),
    })
    .refine((m) => m.bands.length === m.crossoverHz.length + 1, 'multiband needs one more band than crossovers')
    .optional(),
});
export type CompressorSettings = z.infer<typeof compressorSettingsSchema>;
export type CompressorSettingsInput = z.input<typeof compressorSettingsSchema>;

export interface CompressorStats {
  /** Broadband, or per band (lowest first) when multiband. */
  bands: GainReductionStats[];
}

const DB_PER_NEPER = 20 / Math.LN10;

/** Static curve: gain change in dB (≤ 0) for an input level in dB. */
export function compressorStaticGainDb(levelDb: number, band: Pick<CompressorBand, 'thresholdDb' | 'ratio' | 'kneeDb'>): number {
  const over = levelDb - band.thresholdDb;
  const slope = 1 / band.ratio - 1;
  const w = band.kneeDb;
  if (2 * over <= -w) return 0;
  if (w > 0 && 2 * Math.abs(over) < w) return (slope * (over + w / 2) ** 2) / (2 * w);
  return slope * over;
}

function isNeutral(b: CompressorBand): boolean {
  return b.ratio === 1 && b.makeupDb === 0;
}

/**
 * One linked compressor whose state carries over from one call to the next, so a signal can be run in blocks with
 * exactly the result of one call over the whole of it.
 */
class LinkedCompressor {
  readonly acc = new GainReductionAccumulator();
  private readonly neutral: boolean;
  private readonly attack: number;
  private readonly release: number;
  private readonly rmsCoef: number;
  private readonly slope: number;
  private readonly kneeStartLinear: number;
  private readonly stride: number;
  private readonly rms: boolean;
  private ms = 0;
  private gr = 0; // smoothed reduction, dB ≥ 0
  private position = 0;

  constructor(
    sampleRate: number,
    private readonly band: CompressorBand,
    detector: 'rms' | 'peak',
    rmsWindowMs: number,
  ) {
    this.neutral = isNeutral(band);
    this.attack = Math.exp(-1000 / (band.attackMs * sampleRate));
    this.release = Math.exp(-1000 / (band.releaseMs * sampleRate));
    this.rmsCoef = Math.exp(-1000 / (rmsWindowMs * sampleRate));
    this.slope = 1 / band.ratio - 1;
    this.rms = detector === 'rms';
    // Below this detector level the static curve is 0 dB: skip the logarithm there.
    this.kneeStartLinear = Math.pow(10, (band.thresholdDb - band.kneeDb / 2) / (this.rms ? 10 : 20));
    this.stride = Math.max(1, Math.round(sampleRate / 2000));
  }

  /** Compresses samples [from, to) of `channels` in place. */
  process(channels: Float64Array[], from: number, to: number): void {
    if (this.neutral || channels.length === 0) return;
    const nc = channels.length;
    const { attack, release, rmsCoef, slope, kneeStartLinear, stride, rms, acc } = this;
    const { thresholdDb: T, kneeDb: W, makeupDb: makeup } = this.band;
    const stereo = nc === 2;
    const l = channels[0];
    const r = stereo ? channels[1] : l;
    let ms = this.ms;
    let gr = this.gr;
    let lastGr = -1;
    let lastGain = 1;
    let nextStat = this.position % stride === 0 ? from : from + stride - (this.position % stride);
    for (let i = from; i < to; i++) {
      let level: number;
      if (rms) {
        let e: number;
        if (stereo) e = l[i] * l[i] + r[i] * r[i];
        else {
          e = 0;
          for (let c = 0; c < nc; c++) e += channels[c][i] * channels[c][i];
        }
        ms = e / nc + rmsCoef * (ms - e / nc);
        level = ms;
      } else {
        let m = 0;
        for (let c = 0; c < nc; c++) {
          const a = Math.abs(channels[c][i]);
          if (a > m) m = a;
        }
        level = m;
      }
      let target = 0;
      if (level > kneeStartLinear) {
        const levelDb = rms ? (DB_PER_NEPER / 2) * Math.log(level) : DB_PER_NEPER * Math.log(level);
        const over = levelDb - T;
        target = W > 0 && 2 * over < W ? (-slope * (over + W / 2) ** 2) / (2 * W) : -slope * over;
      }
      gr = target > gr ? target + attack * (gr - target) : target + release * (gr - target);
      if (i === nextStat) {
        acc.addDb(gr);
        nextStat += stride;
      }
      if (gr === 0 && makeup === 0) continue;
      if (gr !== lastGr) {
        lastGr = gr;
        lastGain = dbToGainFast(makeup - gr);
      }
      if (stereo) {
        l[i] *= lastGain;
        r[i] *= lastGain;
      } else {
        for (let c = 0; c < nc; c++) channels[c][i] *= lastGain;
      }
    }
    this.ms = ms;
    this.gr = gr;
    this.position += to - from;
  }

  result(): GainReductionStats {
    if (this.neutral) {
      const acc = new GainReductionAccumulator();
      acc.addDb(0);
      return acc.result();
    }
    return this.acc.result();
  }
}

/** Compresses `channels` in place with one linked gain; returns its reduction statistics. */
function compressLinked(
  channels: Float64Array[],
  sampleRate: number,
  band: CompressorBand,
  detector: 'rms' | 'peak',
  rmsWindowMs: number,
): GainReductionStats {
  const comp = new LinkedCompressor(sampleRate, band, detector, rmsWindowMs);
  if (channels.length > 0) comp.process(channels, 0, channels[0].length);
  return comp.result();
}

/** Block length of the multiband path: band buffers stay in cache instead of spanning the whole track. */
const MULTIBAND_BLOCK = 4096;

/** Applies the compressor in place. */
export function processCompressor(work: WorkingAudio, settingsInput: CompressorSettingsInput): CompressorStats {
  const s = compressorSettingsSchema.parse(settingsInput);
  const neutralStats = (): CompressorStats => ({ bands: [compressLinked([], 1, s, s.detector, s.rmsWindowMs)] });
  if (!s.enabled) return neutralStats();
  if (!s.multiband) {
    return { bands: [compressLinked(work.channels, work.sampleRate, s, s.detector, s.rmsWindowMs)] };
  }
  const mb = s.multiband;
  if (mb.bands.every(isNeutral)) return { bands: mb.bands.map(() => neutralStats().bands[0]) };
  const design = designCrossover(mb.crossoverHz, work.sampleRate);
  const nc = work.channels.length;
  const n = nc ? work.channels[0].length : 0;
  const splitters = work.channels.map(() => new CrossoverSplitter(design));
  const compressors = mb.bands.map((band) => new LinkedCompressor(work.sampleRate, band, s.detector, s.rmsWindowMs));
  const block = Math.min(MULTIBAND_BLOCK, Math.max(1, n));
  // split[band][channel], one block each
  const split = mb.bands.map(() => work.channels.map(() => new Float64Array(block)));
  for (let start = 0; start < n; start += block) {
    const count = Math.min(block, n - start);
    const bands = count === block ? split : split.map((chs) => chs.map((x) => x.subarray(0, count)));
    for (let c = 0; c < nc; c++) splitters[c].process(work.channels[c].subarray(start, start + count), bands.map((chs) => chs[c]));
    for (let b = 0; b < bands.length; b++) compressors[b].process(bands[b], 0, count);
    // Same summation order as band-by-band accumulation into a zeroed channel: 0 + b0 + b1 + ...
    for (let c = 0; c < nc; c++) {
      const out = work.channels[c];
      for (let i = 0; i < count; i++) {
        let v = 0;
        for (let b = 0; b < bands.length; b++) v += bands[b][c][i];
        out[start + i] = v;
      }
    }
  }
  return { bands: compressors.map((comp) => comp.result()) };
}

export function applyCompressor(pcm: PcmAudio, settings: CompressorSettingsInput): { audio: PcmAudio; stats: CompressorStats } {
  const work = toWorkingAudio(pcm);
  const stats = processCompressor(work, settings);
  return { audio: toPcmAudio(work), stats };
}
