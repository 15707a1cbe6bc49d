/**
 * The whole track's long-term spectrum through the chain, predicted from a rendered probe (closedLoop.ts) before the
 * track itself is rendered: the tonal correction a render would need is folded into the EQ first, so the one full
 * render usually needs none (each avoided render is ~1 s of a four-minute master).
 *
 * Why a model and not the probe's spectrum: the compressor and limiter turn loud passages down and leave quiet ones,
 * so the long-term spectrum after them weighs a track's passages differently than the mix's. A probe of a few seconds
 * here and there does not weigh them as the whole track does: the probe's own spectrum change, applied to the mix's,
 * missed king_is_dead's render by 0.9-1.0 dB per band. The model takes the weighting from the whole track instead:
 * - each Welch segment's mid and side band powers (the mix's analysis keeps them, segmentBands.ts) through the EQ,
 *   which is linear: exact for every segment;
 * - times the broadband gain the rest of the chain gave a segment of that level, read off the probe's segments
 *   (gain against level, interpolated between them): the compressor, saturation and limiter are mostly level-driven;
 * - times, per band, what the probe's output has beyond that (the chain's spectral effect within a segment: a limiter
 *   ducking the kick, the harmonics of saturation).
 * Measured on the corpus against the rendered track at the same drive: the predicted tonal distance within
 * 0.02-0.06 dB of the rendered one, loudness within 0.3 LU. In the master, with the model's correction folded in, the
 * one render came out at 0.91 dB (king_is_dead), 0.80 (wanderer), 0.67 (battle), where rendering, predicting and
 * rendering again had given 0.82, 0.85 and 0.70.
 */
import { kWeightingCoefficients, type Biquad } from '@/lib/audio/kWeighting';
import type { BandSet } from '../analysis/bands';
import type { WorkingAudio } from '@/lib/audio/workingAudio';
import { segmentBandsAt, type SegmentBands } from '../analysis/segmentBands';
import { TONAL_BANDS_AND_OUTSIDE, type TonalSpectrum } from '../analysis/tonalDistance';
import { effectiveMidSideCurves } from '../chain/effectiveCurves';
import { curveGainDbAt } from '../chain/midSideFir';
import type { MasteringSettings } from '../settings';
import type { ProbePlan } from './closedLoop';
import type { MatchAnalysis } from './matchAnalysis';

/** Fewer measured segments than this in the probe: too few levels to read the chain's gain from. */
const MIN_PROBE_SEGMENTS = 8;
/** Points of the curve between its frequencies at which a band's EQ gain is averaged. */
const EQ_POINTS_PER_BAND = 16;
/** The segment bands (TONAL_BANDS_AND_OUTSIDE): the tonal bands are 1..28, the rest of the spectrum 0 and 29. */
const BANDS = TONAL_BANDS_AND_OUTSIDE;
const FIRST_TONAL = 1;
const LOWEST_EQ_HZ = 10;
/** The relative gate of BS.1770, applied to segment energies. */
const RELATIVE_GATE_DB = -10;

function biquadPowerAt(q: Biquad, frequencyHz: number, sampleRate: number): number {
  const w = (2 * Math.PI * frequencyHz) / sampleRate;
  const c1 = Math.cos(w);
  const c2 = Math.cos(2 * w);
  const s1 = Math.sin(w);
  const s2 = Math.sin(2 * w);
  const nr = q.b0 + q.b1 * c1 + q.b2 * c2;
  const ni = -q.b1 * s1 - q.b2 * s2;
  const dr = 1 + q.a1 * c1 + q.a2 * c2;
  const di = -q.a1 * s1 - q.a2 * s2;
  return (nr * nr + ni * ni) / (dr * dr + di * di);
}

/** Integrated loudness of segment energies up to a constant: the mean of those within the relative gate, in dB. */
function gatedLevelDb(energies: Float64Array): number {
  let sum = 0;
  let n = 0;
  for (const e of energies) if (e > 0) (sum += e), n++;
  if (n === 0) return -Infinity;
  const gate = (sum / n) * 10 ** (RELATIVE_GATE_DB / 10);
  let kept = 0;
  let k = 0;
  for (const e of energies) if (e > gate) (kept += e), k++;
  return 10 * Math.log10(kept / k);
}

export class TonalModel {
  private readonly bandCount: number;
  private readonly kWeight: Float64Array;
  /** The probe's measured segments: index among the track's segments, and start in the probe buffer. */
  private readonly probeSegments: { index: number; probeStart: number }[];
  private readonly mixSum: Float64Array;
  private readonly mixLevelDb: number;

  private constructor(
    private readonly mix: MatchAnalysis,
    private readonly segments: SegmentBands,
    plan: ProbePlan,
    private readonly sampleRate: number,
  ) {
    this.bandCount = segments.bandCount;
    const k = kWeightingCoefficients(sampleRate);
    this.kWeight = Float64Array.from(BANDS.centresHz, (f) => biquadPowerAt(k.shelf, f, sampleRate) * biquadPowerAt(k.highPass, f, sampleRate));
    this.probeSegments = [];
    let at = 0;
    for (const r of plan.ranges) {
      for (let f = Math.ceil(r.measureFrom / segments.hopFrames); f < segments.count; f++) {
        const start = f * segments.hopFrames;
        if (start + segments.segmentFrames > r.measureTo) break;
        this.probeSegments.push({ index: f, probeStart: at + start - r.from });
      }
      at += r.to - r.from;
    }
    const mixEnergies = new Float64Array(segments.count);
    this.mixSum = new Float64Array(this.bandCount);
    for (let f = 0; f < segments.count; f++) {
      for (let b = 0; b < this.bandCount; b++) {
        const p = segments.mid[f * this.bandCount + b] + segments.side[f * this.bandCount + b];
        this.mixSum[b] += p;
        mixEnergies[f] += this.kWeight[b] * p;
      }
    }
    this.mixLevelDb = gatedLevelDb(mixEnergies);
  }

  /** A model of this mix's render from probes cut by `plan`, or null when the mix or the probe cannot carry one. */
  static of(mix: MatchAnalysis, plan: ProbePlan, sampleRate: number): TonalModel | null {
    const segments = mix.segmentBands;
    if (!segments || mix.sampleRate !== sampleRate || mix.channels !== 2 || segments.bandCount !== BANDS.centresHz.length) return null;
    const model = new TonalModel(mix, segments, plan, sampleRate);
    return model.probeSegments.length >= MIN_PROBE_SEGMENTS ? model : null;
  }

  /** Power gain of the settings' EQ (mid, side) averaged over each band. */
  private eqPowerGains(settings: MasteringSettings): { mid: Float64Array; side: Float64Array } {
    const curves = effectiveMidSideCurves(settings);
    const mid = new Float64Array(this.bandCount);
    const side = new Float64Array(this.bandCount);
    if (curves.flat) return { mid: mid.fill(1), side: side.fill(1) };
    const midCurve = { frequenciesHz: curves.frequenciesHz, gainDb: curves.midDb };
    const sideCurve = { frequenciesHz: curves.frequenciesHz, gainDb: curves.sideDb };
    for (let b = 0; b < this.bandCount; b++) {
      const lo = Math.log(Math.max(LOWEST_EQ_HZ, BANDS.lowerHz[b]));
      const hi = Math.log(Math.min(BANDS.upperHz[b], this.sampleRate / 2));
      for (let i = 0; i < EQ_POINTS_PER_BAND; i++) {
        const f = Math.exp(lo + ((i + 0.5) / EQ_POINTS_PER_BAND) * (hi - lo));
        mid[b] += 10 ** (curveGainDbAt(midCurve, f) / 10) / EQ_POINTS_PER_BAND;
        side[b] += 10 ** (curveGainDbAt(sideCurve, f) / 10) / EQ_POINTS_PER_BAND;
      }
    }
    return { mid, side };
  }

  /**
   * The track's tonal spectrum and loudness as the chain of `settings` renders it, from `probe`: the probe buffer
   * (closedLoop.ts DriveProbe) rendered through that chain (before the limiter, or through it). `loudness`: the
   * integrated loudness of the probe's measured parts, metered, in `probe` and in the mix.
   *
   * Segment energies carry the loudness change a chain makes across passages, but not within the 400 ms blocks the
   * loudness meter gates: a mix whose kicks leave quiet blocks between them (gated out) but whose render fills them
   * in was 0.9 LU off. What the probe's metered loudness changed, beyond what its own segments say, is that part.
   */
  async predict(
    settings: MasteringSettings,
    probe: WorkingAudio,
    loudness: { probeLufs: number; mixProbeLufs: number },
    /** How the probe's segments are measured (e.g. half of them on another thread); segmentBandsAt by default. */
    measure: (audio: WorkingAudio, starts: number[], bands: BandSet, segmentFrames: number) => Promise<SegmentBands> = segmentBandsAt,
  ): Promise<TonalSpectrum> {
    const { bandCount, segments } = this;
    const h = this.eqPowerGains(settings);
    // The mix's segments through the EQ, and their levels.
    const eq = new Float64Array(segments.count * bandCount);
    const levelDb = new Float64Array(segments.count);
    for (let f = 0; f < segments.count; f++) {
      let total = 0;
      for (let b = 0; b < bandCount; b++) {
        const v = segments.mid[f * bandCount + b] * h.mid[b] + segments.side[f * bandCount + b] * h.side[b];
        eq[f * bandCount + b] = v;
        total += v;
      }
      levelDb[f] = 10 * Math.log10(total + 1e-30);
    }
    // The probe's segments after the chain: their broadband gain against their level, and their band powers.
    const out = await measure(probe, this.probeSegments.map((s) => s.probeStart), BANDS, segments.segmentFrames);
    const probeOut = new Float64Array(bandCount);
    const probeModel = new Float64Array(bandCount);
    const points: { levelDb: number; gainDb: number }[] = [];
    const probeEnergies = new Float64Array(this.probeSegments.length);
    const probeMixEnergies = new Float64Array(this.probeSegments.length);
    this.probeSegments.forEach((s, i) => {
      let outTotal = 0;
      let inTotal = 0;
      for (let b = 0; b < bandCount; b++) {
        const o = out.mid[i * bandCount + b] + out.side[i * bandCount + b];
        outTotal += o;
        inTotal += eq[s.index * bandCount + b];
        probeEnergies[i] += this.kWeight[b] * o;
        probeMixEnergies[i] += this.kWeight[b] * (segments.mid[s.index * bandCount + b] + segments.side[s.index * bandCount + b]);
      }
      if (!(outTotal > 0 && inTotal > 0)) return;
      const gain = outTotal / inTotal;
      points.push({ levelDb: levelDb[s.index], gainDb: 10 * Math.log10(gain) });
      for (let b = 0; b < bandCount; b++) {
        probeOut[b] += out.mid[i * bandCount + b] + out.side[i * bandCount + b];
        probeModel[b] += gain * eq[s.index * bandCount + b];
      }
    });
    points.sort((a, b) => a.levelDb - b.levelDb);
    const gainAt = (level: number): number => {
      if (points.length === 0) return 1;
      if (level <= points[0].levelDb) return 10 ** (points[0].gainDb / 10);
      const last = points[points.length - 1];
      if (level >= last.levelDb) return 10 ** (last.gainDb / 10);
      let i = 1;
      while (points[i].levelDb < level) i++;
      const a = points[i - 1];
      const b = points[i];
      const t = b.levelDb > a.levelDb ? (level - a.levelDb) / (b.levelDb - a.levelDb) : 0;
      return 10 ** ((a.gainDb + t * (b.gainDb - a.gainDb)) / 10);
    };
    // Whole track: every segment at the gain of its level, then the probe's per-band remainder.
    const predicted = new Float64Array(bandCount);
    const energies = new Float64Array(segments.count);
    for (let f = 0; f < segments.count; f++) {
      const g = gainAt(levelDb[f]);
      for (let b = 0; b < bandCount; b++) {
        const v = g * eq[f * bandCount + b];
        predicted[b] += v;
        energies[f] += this.kWeight[b] * v;
      }
    }
    let kBefore = 0;
    let kAfter = 0;
    for (let b = 0; b < bandCount; b++) {
      const remainder = probeModel[b] > 0 && probeOut[b] > 0 ? probeOut[b] / probeModel[b] : 1;
      kBefore += this.kWeight[b] * predicted[b];
      predicted[b] *= remainder;
      kAfter += this.kWeight[b] * predicted[b];
    }
    const withinBlocksDb = loudness.probeLufs - loudness.mixProbeLufs - (gatedLevelDb(probeEnergies) - gatedLevelDb(probeMixEnergies));
    const loudnessShiftDb = gatedLevelDb(energies) + 10 * Math.log10(kAfter / kBefore) - this.mixLevelDb + (Number.isFinite(withinBlocksDb) ? withinBlocksDb : 0);
    return {
      centresHz: this.mix.tonal.centresHz,
      integratedLufs: this.mix.integratedLufs + loudnessShiftDb,
      levelsDb: this.mix.tonal.levelsDb.map((level, t) => {
        const b = t + FIRST_TONAL;
        return predicted[b] > 0 && this.mixSum[b] > 0 ? level + 10 * Math.log10(predicted[b] / this.mixSum[b]) : level;
      }),
    };
  }
}
