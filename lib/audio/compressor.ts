import { z } from 'zod';
import { designCrossover, splitBands } from './crossover';
import { GainReductionAccumulator, type GainReductionStats } from './gainReductionStats';
import type { PcmAudio } from './types';
import { toPcmAudio, toWorkingAudio, type WorkingAudio } from './workingAudio';

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

/** Compresses `channels` in place with one linked gain; returns its reduction statistics. */
function compressLinked(
  channels: Float64Array[],
  sampleRate: number,
  band: CompressorBand,
  detector: 'rms' | 'peak',
  rmsWindowMs: number,
): GainReductionStats {
  const acc = new GainReductionAccumulator();
  if (isNeutral(band) || channels.length === 0) {
    acc.addDb(0);
    return acc.result();
  }
  const n = channels[0].length;
  const nc = channels.length;
  const attack = Math.exp(-1000 / (band.attackMs * sampleRate));
  const release = Math.exp(-1000 / (band.releaseMs * sampleRate));
  const rmsCoef = Math.exp(-1000 / (rmsWindowMs * sampleRate));
  const { thresholdDb: T, kneeDb: W } = band;
  const slope = 1 / band.ratio - 1;
  const makeup = band.makeupDb;
  // Below this detector level the static curve is 0 dB: skip the logarithm there.
  const kneeStartLinear = Math.pow(10, (T - W / 2) / (detector === 'rms' ? 10 : 20));
  const stride = Math.max(1, Math.round(sampleRate / 2000));
  let ms = 0;
  let gr = 0; // smoothed reduction, dB ≥ 0
  for (let i = 0; i < n; i++) {
    let level: number;
    if (detector === 'rms') {
      let e = 0;
      for (let c = 0; c < nc; c++) e += channels[c][i] * channels[c][i];
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
      const levelDb = detector === 'rms' ? (DB_PER_NEPER / 2) * Math.log(level) : DB_PER_NEPER * Math.log(level);
      const over = levelDb - T;
      target = W > 0 && 2 * over < W ? (-slope * (over + W / 2) ** 2) / (2 * W) : -slope * over;
    }
    gr = target > gr ? target + attack * (gr - target) : target + release * (gr - target);
    if (i % stride === 0) acc.addDb(gr);
    const g = gr === 0 && makeup === 0 ? 1 : Math.exp((makeup - gr) / DB_PER_NEPER);
    if (g !== 1) for (let c = 0; c < nc; c++) channels[c][i] *= g;
  }
  return acc.result();
}

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
  const split = work.channels.map((ch) => splitBands(ch, design)); // [channel][band]
  const bands = mb.bands.map((band, b) =>
    compressLinked(split.map((bs) => bs[b]), work.sampleRate, band, s.detector, s.rmsWindowMs),
  );
  work.channels.forEach((ch, c) => {
    ch.fill(0);
    for (const bandData of split[c]) for (let i = 0; i < ch.length; i++) ch[i] += bandData[i];
  });
  return { bands };
}

export function applyCompressor(pcm: PcmAudio, settings: CompressorSettingsInput): { audio: PcmAudio; stats: CompressorStats } {
  const work = toWorkingAudio(pcm);
  const stats = processCompressor(work, settings);
  return { audio: toPcmAudio(work), stats };
}
