/**
 * Settings from analyses: the mix and one or more weighted references.
 *
 * EQ: difference of the loudness-normalised, 1/3-octave-smoothed mid and side spectra (reference minus mix), limited
 * to ±maxBoost/maxCut, with boosts faded out where the mix has no content (more than 35-55 dB under its own
 * strongest region: boosting there only raises noise) and the curve held flat above a reference's lossy cutoff
 * (where the reference is empty because of its codec, not because of the music).
 *
 * Stereo: per band, the difference of side-to-mid balance, limited to ±9 dB; it is taken out of the side EQ curve,
 * so EQ (tonal shape) and width (balance) have separate amounts and add up to the full match at 100 %.
 *
 * Dynamics: a slow-ish RMS compressor whose threshold sits at the mix's quiet sections (10th percentile of short-term
 * loudness) and whose ratio is the loudness-range ratio mix/target (capped at 4:1): a static curve with ratio r
 * above the quiet level divides the range of short-term loudness by about r.
 *
 * Loudness: target from the references (weighted mean LUFS) or a platform preset / custom value; the limiter drive
 * and final gain are found later by rendering (closedLoop.ts).
 */
import { compressorStaticGainDb } from '@/lib/audio/compressor';
import { bandsResponseDb } from '../chain/effectiveCurves';
import {
  DEFAULT_OUTPUT_FORMAT,
  PLATFORM_TARGETS_LUFS,
  SETTINGS_VERSION,
  type MasteringSettings,
  type OutputSettings,
  type Platform,
} from '../settings';
import { fitParametricBands } from './fitBands';
import type { MatchAnalysis } from './matchAnalysis';

export interface WeightedReference {
  analysis: MatchAnalysis;
  weight: number;
}

export type LoudnessTarget = { kind: 'reference' } | { kind: 'platform'; platform: Platform } | { kind: 'custom'; lufs: number };

export interface DeriveOptions {
  target?: LoudnessTarget;
  ceilingDbtp?: number;
  amounts?: { eq?: number; dynamics?: number; width?: number };
  /** Aspects to match; the others stay neutral. Default all. */
  match?: { eq?: boolean; dynamics?: boolean; stereo?: boolean };
  eqPhase?: 'linear' | 'minimum';
  maxBoostDb?: number;
  maxCutDb?: number;
  monoBelowHz?: number | null;
  /** A 3-band compressor (crossovers MULTIBAND_CROSSOVERS_HZ) instead of the broadband one. Default false. */
  multiband?: boolean;
  output?: Partial<OutputSettings>;
}

/** Per-frequency limits the closed loop must respect as well. */
export interface EqLimits {
  frequenciesHz: number[];
  /** Largest boost allowed at each frequency (0 where the mix has no content), per channel. */
  midMaxBoostDb: number[];
  sideMaxBoostDb: number[];
  maxCutDb: number;
  /** Index from which the curve is held (reference has no content above); frequenciesHz.length if none. */
  holdFromIndex: number;
}

export interface DerivedTargets {
  /** Weighted reference figures. */
  referenceLufs: number;
  referenceLraLu: number;
  /** Tonal target (28 bands, dB re LUFS) the closed loop aims the output at. */
  tonalDbReLufs: number[];
  fineTotalDb: number[];
  fineMidDb: number[];
  fineSideDb: number[];
  sideToMidDb: number;
}

export interface Derivation {
  settings: MasteringSettings;
  limits: EqLimits;
  targets: DerivedTargets;
  /** Human-readable reasons, collected for the report. */
  reasons: string[];
}

export const DEFAULT_MAX_BOOST_DB = 20;
export const DEFAULT_MAX_CUT_DB = 15;
export const STEREO_EDGES_HZ = [20, 150, 600, 2500, 8000, 20000];
export const MULTIBAND_CROSSOVERS_HZ = [150, 2500];
/** Low band slower (bass cycles must not modulate the gain), high band faster (transients). */
const MULTIBAND_TIMES_MS = [
  { attackMs: 30, releaseMs: 300 },
  { attackMs: 20, releaseMs: 250 },
  { attackMs: 10, releaseMs: 150 },
];
const MAX_WIDTH_DB = 9;
const MAX_RATIO = 4;

function weightedMean(values: number[], weights: number[]): number {
  let s = 0;
  let w = 0;
  values.forEach((v, i) => {
    if (Number.isFinite(v)) {
      s += v * weights[i];
      w += weights[i];
    }
  });
  return w > 0 ? s / w : NaN;
}

/** Weighted mean of per-frequency dB arrays (averaged in dB: each reference's shape counts by its weight). */
function meanCurves(curves: number[][], weights: number[]): number[] {
  return curves[0].map((_, i) => weightedMean(curves.map((c) => c[i]), weights));
}

/** 0 at `floor` dB under the peak, full at `full` dB under it, linear in between. */
function contentFactor(levelDb: number, peakDb: number): number {
  const below = peakDb - levelDb;
  return Math.min(1, Math.max(0, (55 - below) / 20));
}

function percentile(values: number[], p: number): number {
  const sorted = values.filter((v) => Number.isFinite(v) && v > -70).sort((a, b) => a - b);
  if (sorted.length === 0) return -Infinity;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function peakIn(levels: number[], freqs: number[], lo: number, hi: number): number {
  let m = -Infinity;
  freqs.forEach((f, i) => {
    if (f >= lo && f <= hi && levels[i] > m) m = levels[i];
  });
  return m;
}

export function clampEq(value: number, maxBoost: number, maxCut: number): number {
  return Math.min(maxBoost, Math.max(-maxCut, value));
}

export function deriveSettings(mix: MatchAnalysis, references: WeightedReference[], options: DeriveOptions = {}): Derivation {
  if (references.length === 0) throw new Error('at least one reference is needed');
  const weights = references.map((r) => Math.max(0, r.weight));
  if (!(weights.reduce((a, b) => a + b, 0) > 0)) throw new Error('reference weights must not all be zero');
  const refs = references.map((r) => r.analysis);
  const reasons: string[] = [];
  const freqs = mix.fine.frequenciesHz;
  const maxBoost = options.maxBoostDb ?? DEFAULT_MAX_BOOST_DB;
  const maxCut = options.maxCutDb ?? DEFAULT_MAX_CUT_DB;
  const match = { eq: true, dynamics: true, stereo: true, ...options.match };
  const amounts = { eq: 1, dynamics: 1, width: 1, ...options.amounts };

  const refMid = meanCurves(refs.map((r) => r.fine.midDb), weights);
  const refSide = meanCurves(refs.map((r) => r.fine.sideDb), weights);
  const refTotal = meanCurves(refs.map((r) => r.fine.totalDb), weights);
  const tonalDbReLufs = meanCurves(refs.map((r) => r.tonal.levelsDb.map((v) => v - r.integratedLufs)), weights);
  const referenceLufs = weightedMean(refs.map((r) => r.integratedLufs), weights);
  const referenceLraLu = weightedMean(refs.map((r) => r.loudnessRangeLu), weights);

  // Content masks.
  const mixPeak = peakIn(mix.fine.totalDb, freqs, 30, 16000);
  const midMaxBoostDb = freqs.map((_, i) => maxBoost * contentFactor(mix.fine.midDb[i], mixPeak));
  const sideMaxBoostDb = freqs.map((_, i) => maxBoost * contentFactor(mix.fine.sideDb[i], mixPeak));
  const refPeak = peakIn(refTotal, freqs, 30, 16000);
  let holdFromIndex = freqs.length;
  for (let i = freqs.length - 1; i >= 0 && freqs[i] > 5000; i--) {
    if (refTotal[i] > refPeak - 50) break;
    holdFromIndex = i;
  }
  if (holdFromIndex < freqs.length) {
    // The fine levels are 1/3-octave smoothed, so a codec's brick wall at 16 kHz already pulls them down from ~14 kHz
    // and is only 50 dB down near 19 kHz: holding from there would keep a deep cut over the whole slope (a dull
    // master). Walk back down the slope, as long as the reference falls away from the mix faster than music's own
    // tilts do (1 dB per 1/12 octave = 12 dB/octave), at most an octave.
    const fall = (i: number) => refTotal[i - 1] - mix.fine.totalDb[i - 1] - (refTotal[i] - mix.fine.totalDb[i]);
    const emptyFrom = holdFromIndex;
    while (holdFromIndex > 1 && emptyFrom - holdFromIndex < 12 && freqs[holdFromIndex - 1] > 5000 && fall(holdFromIndex) > 1) holdFromIndex--;
    const edgeDiff = refTotal[holdFromIndex - 1] - mix.fine.totalDb[holdFromIndex - 1];
    let cutoffIndex = holdFromIndex;
    while (cutoffIndex < emptyFrom && refTotal[cutoffIndex] - mix.fine.totalDb[cutoffIndex] > edgeDiff - 6) cutoffIndex++;
    reasons.push(
      `The reference has almost nothing above ${(freqs[cutoffIndex] / 1000).toFixed(1)} kHz (a lossy codec's cutoff?): the EQ is held from ${(freqs[holdFromIndex] / 1000).toFixed(1)} kHz up instead of following it.`,
    );
  }
  const lacking = freqs.filter((f, i) => refTotal[i] - mix.fine.totalDb[i] > 12 && midMaxBoostDb[i] < maxBoost / 2);
  if (lacking.length > 0) {
    reasons.push(`The mix has little content around ${Math.round(lacking[0])}-${Math.round(lacking[lacking.length - 1])} Hz where the reference is strong: no boost there.`);
  }

  // Stereo balance per band (power-summed over the band's grid points).
  const bandOf = (f: number) => {
    for (let b = 0; b < STEREO_EDGES_HZ.length - 1; b++) if (f < STEREO_EDGES_HZ[b + 1]) return b;
    return STEREO_EDGES_HZ.length - 2;
  };
  const sums = STEREO_EDGES_HZ.slice(1).map(() => ({ rm: 0, rs: 0, mm: 0, ms: 0 }));
  freqs.forEach((f, i) => {
    const s = sums[bandOf(f)];
    s.rm += 10 ** (refMid[i] / 10);
    s.rs += 10 ** (refSide[i] / 10);
    s.mm += 10 ** (mix.fine.midDb[i] / 10);
    s.ms += 10 ** (mix.fine.sideDb[i] / 10);
  });
  const isStereo = mix.channels === 2 && refs.some((r) => r.channels === 2);
  const sideGainDb = sums.map((s) => {
    if (!isStereo || !match.stereo || s.ms <= 0 || s.mm <= 0 || s.rm <= 0 || s.rs <= 0) return 0;
    const want = 10 * Math.log10(s.rs / s.rm) - 10 * Math.log10(s.ms / s.mm);
    // No widening of a band whose side carries almost nothing (it would only lift noise or phase junk).
    const sideLevel = 10 * Math.log10(s.ms) - mixPeak;
    const limit = sideLevel < -50 ? 0 : MAX_WIDTH_DB;
    const v = Math.min(limit, Math.max(-MAX_WIDTH_DB, want));
    return Math.round(v * 100) / 100;
  });

  // EQ curves: mid follows the mid difference; side follows the side difference minus the width offset (stereo).
  const midCurve = freqs.map((_, i) => (match.eq ? clampEq(refMid[i] - mix.fine.midDb[i], midMaxBoostDb[i], maxCut) : 0));
  const widthAt = (i: number) => sideGainDb[bandOf(freqs[i])];
  const sideCurve = freqs.map((_, i) => {
    if (!match.eq || !isStereo) return midCurve[i];
    return clampEq(refSide[i] - mix.fine.sideDb[i] - widthAt(i), sideMaxBoostDb[i], maxCut);
  });
  holdCurve(midCurve, holdFromIndex);
  holdCurve(sideCurve, holdFromIndex);

  // Dynamics.
  const mixLra = mix.loudnessRangeLu;
  const targetLra = referenceLraLu;
  let ratio = 1;
  if (match.dynamics && Number.isFinite(mixLra) && Number.isFinite(targetLra) && mixLra > targetLra + 0.5 && mixLra > 0) {
    ratio = Math.min(MAX_RATIO, mixLra / Math.max(0.5, targetLra));
    reasons.push(
      `Loudness range ${mixLra.toFixed(1)} LU in the mix versus ${targetLra.toFixed(1)} LU in the reference: compressor ${ratio.toFixed(2)}:1 from the quiet sections up.`,
    );
  } else if (match.dynamics) {
    reasons.push(`The mix's loudness range (${mixLra.toFixed(1)} LU) is not wider than the reference's (${targetLra.toFixed(1)} LU): no compression.`);
  }
  const p10 = percentile(mix.shortTermLufs, 0.1);
  // RMS detector level ≈ short-term LUFS - 0.7 dB (stereo mean square vs summed K-weighted power, ~flat K-weighting);
  // sit a few dB under the quiet sections so they are inside the curve too.
  const thresholdDb = Math.max(-60, Math.min(-6, Number.isFinite(p10) ? p10 - 3.7 : -30));

  // Makeup = the reduction at the mix's own loudness, so the compressor leaves the overall level about where it was and
  // the limiter drive stays a measure of limiting.
  const makeupDb = Math.min(24, -compressorStaticGainDb(mix.integratedLufs - 0.7, { thresholdDb, ratio, kneeDb: 6 }));

  // Optional 3-band: the same ratio in every band, each band's threshold and makeup moved by that band's share of the
  // mix's power, so the bands act on the same quiet-to-loud span as the broadband compressor would, independently
  // (a loud kick no longer ducks the cymbals).
  const multiband = options.multiband
    ? {
        crossoverHz: MULTIBAND_CROSSOVERS_HZ,
        bands: bandSharesDb(freqs, mix.fine.totalDb, MULTIBAND_CROSSOVERS_HZ).map((shareDb, b) => {
          const bandThreshold = Math.max(-80, thresholdDb + shareDb);
          const makeup = Math.min(24, -compressorStaticGainDb(mix.integratedLufs - 0.7 + shareDb, { thresholdDb: bandThreshold, ratio, kneeDb: 6 }));
          return { thresholdDb: round2(bandThreshold), ratio: round2(ratio), ...MULTIBAND_TIMES_MS[b], kneeDb: 6, makeupDb: round2(makeup) };
        }),
      }
    : null;
  if (multiband && ratio > 1) {
    reasons.push(`3-band compression (crossovers ${MULTIBAND_CROSSOVERS_HZ.join(' and ')} Hz), each band ${ratio.toFixed(2)}:1 from its own quiet level up.`);
  }

  // Loudness target.
  const target = options.target ?? { kind: 'reference' };
  const targetLufs = target.kind === 'reference' ? referenceLufs : target.kind === 'platform' ? PLATFORM_TARGETS_LUFS[target.platform] : target.lufs;
  if (!Number.isFinite(targetLufs)) throw new Error('the reference has no measurable loudness (silent?)');
  const ceilingDbtp = options.ceilingDbtp ?? -1;
  for (const r of refs) {
    if (r.clippedRuns > 0) reasons.push(`A reference has ${r.clippedRuns} clipped runs: its loudness came partly from clipping.`);
  }

  const bandsMid = match.eq ? fitParametricBands(freqs, midCurve) : [];
  const bandsSide = match.eq && isStereo ? fitParametricBands(freqs, sideCurve) : [];
  const output: OutputSettings = {
    format: DEFAULT_OUTPUT_FORMAT,
    sampleRate: null,
    dither: 'tpdf',
    noiseShaping: 'none',
    metadata: {},
    ...options.output,
  };
  const settings: MasteringSettings = {
    version: SETTINGS_VERSION,
    eq: {
      enabled: match.eq,
      mode: 'curve',
      phase: options.eqPhase ?? 'linear',
      amount: amounts.eq,
      curve: { frequenciesHz: freqs, midDb: midCurve.map(round2), sideDb: sideCurve.map(round2) },
      bands: { mid: bandsMid, side: bandsSide },
    },
    dynamics: {
      enabled: match.dynamics && ratio > 1,
      amount: amounts.dynamics,
      detector: 'rms',
      rmsWindowMs: 30,
      compressor: { thresholdDb: round2(thresholdDb), ratio: round2(ratio), attackMs: 20, releaseMs: 250, kneeDb: 6, makeupDb: round2(makeupDb) },
      multiband,
    },
    stereo: {
      enabled: match.stereo && isStereo && (sideGainDb.some((v) => v !== 0) || (options.monoBelowHz ?? null) !== null),
      amount: amounts.width,
      edgesHz: STEREO_EDGES_HZ,
      sideGainDb,
      monoBelowHz: options.monoBelowHz ?? null,
    },
    saturation: { enabled: false, driveDb: 0, mix: 1 },
    loudness: {
      mode: 'target',
      source: target.kind,
      platform: target.kind === 'platform' ? target.platform : null,
      targetLufs: round2(targetLufs),
      ceilingDbtp,
      limiterInputGainDb: 0,
      limiterReleaseMs: 60,
      limiterHoldMs: 35,
      limiterSlowReleaseMs: 900,
      outputGainDb: 0,
    },
    output,
  };
  return {
    settings,
    limits: { frequenciesHz: freqs, midMaxBoostDb, sideMaxBoostDb, maxCutDb: maxCut, holdFromIndex },
    targets: {
      referenceLufs,
      referenceLraLu,
      tonalDbReLufs,
      fineTotalDb: refTotal,
      fineMidDb: refMid,
      fineSideDb: refSide,
      sideToMidDb: weightedMean(refs.map((r) => r.sideToMidDb), weights),
    },
    reasons,
  };
}

/** Each band's share (dB) of the total power of a fine spectrum (dB levels on a log grid), bands split at `edgesHz`. */
function bandSharesDb(freqs: number[], levelsDb: number[], edgesHz: number[]): number[] {
  const power = new Array<number>(edgesHz.length + 1).fill(0);
  freqs.forEach((f, i) => {
    let b = 0;
    while (b < edgesHz.length && f >= edgesHz[b]) b++;
    power[b] += 10 ** (levelsDb[i] / 10);
  });
  const total = power.reduce((a, b) => a + b, 0);
  return power.map((p) => (p > 0 && total > 0 ? Math.max(-60, 10 * Math.log10(p / total)) : -60));
}

export function holdCurve(curve: number[], fromIndex: number): void {
  if (fromIndex >= curve.length || fromIndex === 0) return;
  const edge = Math.min(0, curve[fromIndex - 1]);
  for (let i = fromIndex; i < curve.length; i++) curve[i] = edge;
}

/** Two decimals, and never -0 (it would not survive a JSON round trip). */
export const round2 = (v: number): number => Math.round(v * 100) / 100 || 0;

/** Re-fit the readable bands after the curve changed (closed loop). */
export function refitBands(settings: MasteringSettings): void {
  const { curve } = settings.eq;
  settings.eq.bands.mid = fitParametricBands(curve.frequenciesHz, curve.midDb);
  settings.eq.bands.side = settings.eq.bands.side.length > 0 || curve.sideDb.some((v, i) => v !== curve.midDb[i])
    ? fitParametricBands(curve.frequenciesHz, curve.sideDb)
    : [];
}

export { bandsResponseDb };
