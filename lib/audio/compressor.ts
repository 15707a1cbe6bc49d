import { z } from 'zod';
import { CrossoverSplitter, designCrossover } from './crossover';
import { GainReductionAccumulator, type GainReductionStats } from './gainReductionStats';
import { primerSignal } from './primerSignal';
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
 * Detector and gain computer run at a control rate: every CONTROL_INTERVAL samples (about 0.09 ms at 44.1 kHz,
 * far shorter than any attack this compressor offers) the level read so far sets the next gain, and the gain ramps
 * linearly to it over the interval. The logarithm, the curve and the dB-to-gain conversion then cost a quarter of
 * what they would per sample (the whole stage ran ~4x faster on a 4-minute track), while the output stays within
 * about -60 dB of the per-sample computation.
 */
const CONTROL_INTERVAL = 4;

// LinkedCompressor's state, by index.
const MS = 0;
const PEAK = 1;
const GR = 2;
const GAIN = 3;
const STEP = 4;
const CONTROL_POINTS = 5;
const POSITION = 6;

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
  private readonly statsEvery: number;
  private readonly rms: boolean;
  /**
   * What carries over from one call to the next: mean square, peak, smoothed reduction (dB ≥ 0), gain, gain step,
   * control points so far, samples so far. In a typed array rather than fields: fields that first held small integers
   * changed their representation when they took fractions, which retired the object's shape that the compiled loop
   * had been specialised for, and it deoptimised where it wrote them back.
   */
  private readonly state = new Float64Array(7);

  constructor(
    sampleRate: number,
    private readonly band: CompressorBand,
    detector: 'rms' | 'peak',
    rmsWindowMs: number,
  ) {
    this.neutral = isNeutral(band);
    // Smoothing coefficients per control interval.
    this.attack = Math.exp((-1000 * CONTROL_INTERVAL) / (band.attackMs * sampleRate));
    this.release = Math.exp((-1000 * CONTROL_INTERVAL) / (band.releaseMs * sampleRate));
    this.rmsCoef = Math.exp(-1000 / (rmsWindowMs * sampleRate));
    this.slope = 1 / band.ratio - 1;
    this.rms = detector === 'rms';
    // Below this detector level the static curve is 0 dB: skip the logarithm there.
    this.kneeStartLinear = Math.pow(10, (band.thresholdDb - band.kneeDb / 2) / (this.rms ? 10 : 20));
    // Statistics about every 0.5 ms.
    this.statsEvery = Math.max(1, Math.round(sampleRate / 2000 / CONTROL_INTERVAL));
    this.state[GAIN] = dbToGainFast(band.makeupDb);
  }

  /** Compresses samples [from, to) of `channels` in place. */
  process(channels: Float64Array[], from: number, to: number): void {
    if (this.neutral || channels.length === 0) return;
    const nc = channels.length;
    const { attack, release, rmsCoef, slope, kneeStartLinear, statsEvery, rms, acc } = this;
    const { thresholdDb: T, kneeDb: W, makeupDb: makeup } = this.band;
    const stereo = nc === 2;
    const l = channels[0];
    const r = stereo ? channels[1] : l;
    const state = this.state;
    let ms = state[MS];
    let peak = state[PEAK];
    let gr = state[GR];
    let gain = state[GAIN];
    let step = state[STEP];
    const controlPointsBefore = state[CONTROL_POINTS];
    // Integers from here on: the state holds float64, and a remainder of float64 values is a call into the C library
    // (fmod) in V8's optimized code, which at every control point had cost about as much as the samples between.
    let phase = (state[POSITION] % CONTROL_INTERVAL) | 0;
    let controlPoints = 0;
    /** Control points until the next one that records statistics (every statsEvery-th, counted over all calls). */
    let untilStats = (statsEvery - (controlPointsBefore % statsEvery)) % statsEvery | 0;
    let i = from;
    while (i < to) {
      if (phase === 0) {
        const level = rms ? ms : peak;
        peak = 0;
        let target = 0;
        if (level > kneeStartLinear) {
          const levelDb = rms ? (DB_PER_NEPER / 2) * Math.log(level) : DB_PER_NEPER * Math.log(level);
          const over = levelDb - T;
          target = W > 0 && 2 * over < W ? (-slope * (over + W / 2) ** 2) / (2 * W) : -slope * over;
        }
        gr = target > gr ? target + attack * (gr - target) : target + release * (gr - target);
        controlPoints++;
        if (untilStats === 0) {
          acc.addDb(gr);
          untilStats = statsEvery - 1;
        } else untilStats--;
        step = (dbToGainFast(makeup - gr) - gain) / CONTROL_INTERVAL;
      }
      const end = Math.min(to, i + CONTROL_INTERVAL - phase);
      phase = (phase + end - i) % CONTROL_INTERVAL;
      if (stereo && rms) {
        for (; i < end; i++) {
          const a = l[i];
          const b = r[i];
          const e = 0.5 * (a * a + b * b);
          ms = e + rmsCoef * (ms - e);
          gain += step;
          l[i] = a * gain;
          r[i] = b * gain;
        }
      } else {
        for (; i < end; i++) {
          let e = 0;
          let m = 0;
          for (let c = 0; c < nc; c++) {
            const v = channels[c][i];
            e += v * v;
            const av = Math.abs(v);
            if (av > m) m = av;
          }
          if (rms) ms = e / nc + rmsCoef * (ms - e / nc);
          else if (m > peak) peak = m;
          gain += step;
          for (let c = 0; c < nc; c++) channels[c][i] *= gain;
        }
      }
    }
    state[MS] = ms;
    state[PEAK] = peak;
    state[GR] = gr;
    state[GAIN] = gain;
    state[STEP] = step;
    state[CONTROL_POINTS] = controlPointsBefore + controlPoints;
    state[POSITION] += to - from;
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

/**
 * Runs the compressor once on a short made-up signal that takes every path of its loop (above, within and below the
 * knee, attacking and releasing), with the settings and channel count of the first real input, before that input.
 * One call compresses a whole track (or half of it on each thread) in one long loop, which is otherwise compiled on
 * stack replacement before its other paths and the code after it have ever run: that copy deoptimised where they were
 * first reached and was compiled again, seven times over in a master (~30 ms of compilation on the threads waiting
 * for it). Primed, it is compiled on stack replacement once per thread and then once whole. The primer's samples and
 * statistics are thrown away.
 */
let primed = false;
function prime(channelCount: number, sampleRate: number, band: CompressorBand, detector: 'rms' | 'peak', rmsWindowMs: number): void {
  primed = true;
  const loud = 10 ** ((band.thresholdDb + band.kneeDb + 12) / 20);
  const quiet = 10 ** ((band.thresholdDb - band.kneeDb - 24) / 20);
  const channels = primerSignal(channelCount, loud, quiet);
  new LinkedCompressor(sampleRate, band, detector, rmsWindowMs).process(channels, 0, channels[0].length);
}

/** Compresses `channels` in place with one linked gain; returns its reduction statistics. */
function compressLinked(
  channels: Float64Array[],
  sampleRate: number,
  band: CompressorBand,
  detector: 'rms' | 'peak',
  rmsWindowMs: number,
): GainReductionStats {
  if (!primed && channels.length > 0 && !isNeutral(band)) prime(channels.length, sampleRate, band, detector, rmsWindowMs);
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
