/**
 * Closed-loop refinement on a short, representative excerpt (the loudest ~30 s): compression and limiting reshape the
 * spectrum (limiting eats low end), so the EQ derived from the analyses alone misses the target once the whole chain
 * runs. Each round renders the excerpt through the whole chain at the drive the loudness target needs, measures the
 * third-octave residual against the reference and folds it into both EQ curves (within the same limits as derive).
 *
 * The excerpt stands for the full track through offsets, not absolute levels: the tonal target of the excerpt is the
 * reference's tonal balance plus how the mix excerpt differs from the whole mix, and the limiter drive is chosen so
 * that the predicted FULL-track loudness (full pre-limiter loudness + drive - the excerpt's limiting loss) hits the
 * target. Because the loudest part is limited hardest, the prediction errs loud, which the final trim turns down.
 */
import { measureLoudness } from '@/lib/audio/loudness';
import { processLimiter } from '@/lib/audio/limiter';
import type { PcmAudio } from '@/lib/audio/types';
import { toWorkingAudio, type WorkingAudio } from '@/lib/audio/workingAudio';
import { longTermSpectrum } from '../analysis/longTermSpectrum';
import { TONAL_BANDS, tonalSpectrumFromLongTerm } from '../analysis/tonalDistance';
import { curveGainDbAt } from '../chain/midSideFir';
import { compressorStaticGainDb } from '@/lib/audio/compressor';
import type { ChainWorker } from '../chain/chainWorkerClient';
import { designChainFir, limiterSettingsFrom, renderPreLimiter, scaledCompressor, type PreLimiterStages } from '../chain/render';
import { splitRender } from '../chain/splitRender';
import type { MasteringSettings } from '../settings';
import { clampEq, holdCurve, round2, type EqLimits } from './derive';

export interface Excerpt {
  audio: PcmAudio;
  /** Frames of `audio` that are measured (the rest is pre-roll for filter and compressor state, and post-roll). */
  measureStart: number;
  measureEnd: number;
  startSeconds: number;
}

const PRE_ROLL_SECONDS = 3;
const POST_ROLL_SECONDS = 0.5;

/** The loudest `seconds` of the track by short-term loudness energy, with pre/post roll. */
export function selectExcerpt(pcm: PcmAudio, shortTermLufs: number[], hopSeconds: number, seconds = 30): Excerpt {
  const rate = pcm.sampleRate;
  const frames = pcm.channels[0].length;
  const total = frames / rate;
  let bestStart = 0;
  if (total > seconds) {
    // ST value k covers [(k+1)·hop - 3, (k+1)·hop]: its energy stands for the 3 s before that instant.
    const energy = shortTermLufs.map((v) => (Number.isFinite(v) ? 10 ** (v / 10) : 0));
    const window = Math.max(1, Math.round(seconds / hopSeconds));
    let sum = 0;
    let best = -1;
    for (let k = 0; k < energy.length; k++) {
      sum += energy[k];
      if (k >= window) sum -= energy[k - window];
      if (k >= window - 1 && sum > best) {
        best = sum;
        bestStart = Math.max(0, (k + 1) * hopSeconds - seconds);
      }
    }
    bestStart = Math.min(bestStart, total - seconds);
  }
  const measureFrom = Math.round(bestStart * rate);
  const measureTo = Math.min(frames, Math.round((bestStart + seconds) * rate));
  const from = Math.max(0, measureFrom - Math.round(PRE_ROLL_SECONDS * rate));
  const to = Math.min(frames, measureTo + Math.round(POST_ROLL_SECONDS * rate));
  return {
    audio: { sampleRate: rate, channels: pcm.channels.map((c) => c.subarray(from, to)) },
    measureStart: measureFrom - from,
    measureEnd: measureTo - from,
    startSeconds: bestStart,
  };
}

function measuredPart(work: WorkingAudio, excerpt: Excerpt): PcmAudio {
  return { sampleRate: work.sampleRate, channels: work.channels.map((c) => c.subarray(excerpt.measureStart, excerpt.measureEnd)) as unknown as Float32Array[] };
}

export interface ExcerptTonal {
  lufs: number;
  /** dB re LUFS per tonal band. */
  levelsDbReLufs: number[];
}

export async function measureExcerptTonal(pcm: PcmAudio): Promise<ExcerptTonal> {
  const lufs = measureLoudness(pcm).integratedLufs;
  const tonal = tonalSpectrumFromLongTerm(await longTermSpectrum(pcm), lufs);
  return { lufs, levelsDbReLufs: tonal.levelsDb.map((v) => v - lufs) };
}

function copyOf(work: WorkingAudio): WorkingAudio {
  return { sampleRate: work.sampleRate, channels: work.channels.map((c) => c.slice()) };
}

async function limitedCopy(pre: WorkingAudio, settings: MasteringSettings, driveDb: number, worker: ChainWorker | null): Promise<WorkingAudio> {
  const copy = copyOf(pre);
  const limiter = limiterSettingsFrom(settings, driveDb);
  await splitRender(copy, worker, (part) => processLimiter(part, limiter), (part) => ({ kind: 'limit', work: part, limiter }));
  return copy;
}

/** Pre-limiter stages over an excerpt, half of it on the worker when there is one. */
async function renderExcerptStages(work: WorkingAudio, settings: MasteringSettings, stages: PreLimiterStages, worker: ChainWorker | null): Promise<void> {
  const fir = stages.eqAndDynamics ? await designChainFir(settings, work.sampleRate) : null;
  const snapshot = structuredClone(settings);
  await splitRender(work, worker, (part) => renderPreLimiter(part, snapshot, fir, stages), (part) => ({ kind: 'pre', work: part, settings: snapshot, fir, stages }));
}

const clampDrive = (g: number) => Math.max(-24, Math.min(36, g));

export interface DriveSearch {
  driveDb: number;
  /** Predicted full-track loudness at that drive (differs from the target when the target is out of reach). */
  predictedLufs: number;
  /** Loudness lost to limiting on the excerpt at that drive (LU). */
  excerptLossDb: number;
  limited: WorkingAudio;
}

/**
 * Limiter drive so that fullPreLufs + drive - loss(drive) = targetLufs, loss measured on the excerpt. Secant
 * iterations; each costs one limiter pass over the excerpt.
 */
export async function searchDrive(
  pre: WorkingAudio,
  excerpt: Excerpt,
  settings: MasteringSettings,
  fullPreLufs: number,
  targetLufs: number,
  startDriveDb?: number,
  worker: ChainWorker | null = null,
  toleranceLu = 0.05,
): Promise<DriveSearch> {
  const preLufs = measureLoudness(measuredPart(pre, excerpt)).integratedLufs;
  const predict = async (drive: number) => {
    const limited = await limitedCopy(pre, settings, drive, worker);
    const outLufs = measureLoudness(measuredPart(limited, excerpt)).integratedLufs;
    const loss = preLufs + drive - outLufs;

    return { limited, loss, full: fullPreLufs + drive - loss };
  };
  let g0 = clampDrive(startDriveDb ?? targetLufs - fullPreLufs);
  let r0 = await predict(g0);
  if (Math.abs(r0.full - targetLufs) < toleranceLu) return { driveDb: g0, predictedLufs: r0.full, excerptLossDb: r0.loss, limited: r0.limited };
  let g1 = clampDrive(g0 + (targetLufs - r0.full) / 0.7);
  let r1 = await predict(g1);
  for (let i = 0; i < 3 && Math.abs(r1.full - targetLufs) >= toleranceLu; i++) {
    const slope = (r1.full - r0.full) / (g1 - g0);
    // Out of reach: more drive no longer adds loudness (the limiter has turned into a leveller).
    if (Number.isFinite(slope) && slope < 0.1 && r1.full < targetLufs && g1 > g0) break;
    const g2 = g1 + (targetLufs - r1.full) / (Number.isFinite(slope) && slope > 0.05 ? slope : 0.5);
    g0 = g1;
    r0 = r1;
    g1 = clampDrive(g2);
    r1 = await predict(g1);
  }
  return { driveDb: g1, predictedLufs: r1.full, excerptLossDb: r1.loss, limited: r1.limited };
}

/**
 * Escalation when the target is out of reach with a transparent limiter (or needs more than ~8 dB of it): soft
 * saturation rounds peaks off before the limiter, and a shorter hold/program release lets the limiter follow the
 * music instead of levelling it. Level 0 is the default: saturation off.
 */
export const LOUDNESS_LEVELS = [
  { saturationDriveDb: 0, holdMs: 35, slowReleaseMs: 900 },
  { saturationDriveDb: 4, holdMs: 10, slowReleaseMs: 200 },
  { saturationDriveDb: 8, holdMs: 5, slowReleaseMs: 100 },
] as const;

export function applyLoudnessLevel(settings: MasteringSettings, level: number): void {
  const l = LOUDNESS_LEVELS[level];
  settings.saturation = { enabled: l.saturationDriveDb > 0, driveDb: l.saturationDriveDb, mix: 1 };
  settings.loudness.limiterHoldMs = l.holdMs;
  settings.loudness.limiterSlowReleaseMs = l.slowReleaseMs;
}

export interface LoopRound {
  driveDb: number;
  residualDb: number[];
  meanAbsResidualDb: number;
}

export interface LoopOptions {
  /** Folds of the residual into the EQ (each followed by another excerpt render). */
  iterations: number;
  damping: number;
}

/**
 * How much louder (LU) the whole track is than the excerpt once the compressor has worked: the compressor's static
 * curve applied to the mix's short-term loudness (as detector level ≈ LUFS - 0.7 dB), then a gated energy mean of each
 * span. A compressor lifts quiet sections relative to the loudest excerpt, so the plain mix offset would mislead the
 * drive the excerpt is limited at (and with it the spectral effect of the limiter).
 */
export function compressedFullMinusExcerptLu(shortTerm: { lufs: number[]; hopSeconds: number }, settings: MasteringSettings, excerpt: Excerpt): number {
  const comp = scaledCompressor(settings.dynamics);
  const shifted = shortTerm.lufs.map((v) => {
    if (!Number.isFinite(v) || v < -70) return -Infinity;
    return comp.enabled && !comp.multiband ? v + compressorStaticGainDb(v - 0.7, comp) + comp.makeupDb : v;
  });
  const gatedMean = (from: number, to: number) => {
    const vals = shifted.slice(from, to).filter((v) => v > -70);
    if (vals.length === 0) return -Infinity;
    const mean = (xs: number[]) => 10 * Math.log10(xs.reduce((a, v) => a + 10 ** (v / 10), 0) / xs.length);
    const ungated = mean(vals);
    const gated = vals.filter((v) => v > ungated - 10);
    return mean(gated.length ? gated : vals);
  };
  const hop = shortTerm.hopSeconds;
  const rate = excerpt.audio.sampleRate;
  const startSeconds = excerpt.startSeconds;
  const lengthSeconds = (excerpt.measureEnd - excerpt.measureStart) / rate;
  // ST value k covers the 3 s ending at (k+1)·hop.
  const from = Math.max(0, Math.round((startSeconds + 3) / hop) - 1);
  const to = Math.max(from + 1, Math.round((startSeconds + lengthSeconds) / hop));
  const full = gatedMean(0, shifted.length);
  const part = gatedMean(from, to);
  return Number.isFinite(full) && Number.isFinite(part) ? full - part : 0;
}

/** Residual at the tonal band centres → gain at f (log-interpolated, ends held). */
function residualAt(residual: number[], f: number): number {
  return curveGainDbAt({ frequenciesHz: TONAL_BANDS.centresHz, gainDb: residual }, f);
}

/** Smallest improvement of the mean residual (dB) per fold that is worth another excerpt render. */
const MIN_GAIN_DB = 0.1;

export async function refineOnExcerpt(
  settings: MasteringSettings,
  limits: EqLimits,
  excerpt: Excerpt,
  mixFull: { lufs: number; tonalDbReLufs: number[] },
  mixExcerpt: ExcerptTonal,
  targetTonalDbReLufs: number[],
  mixShortTerm: { lufs: number[]; hopSeconds: number },
  options: LoopOptions,
  worker: ChainWorker | null = null,
): Promise<{ rounds: LoopRound[]; pre: WorkingAudio; drive: DriveSearch }> {
  const rounds: LoopRound[] = [];
  const targetExcerpt = targetTonalDbReLufs.map((t, b) => t + (mixExcerpt.levelsDbReLufs[b] - mixFull.tonalDbReLufs[b]));
  let drive: number | undefined;
  let loudLevel = 0;
  // EQ and dynamics output, kept while only the loudness level (saturation, limiter timing) changes.
  let base: WorkingAudio | null = null;
  for (let round = 0; ; round++) {
    if (!base) {
      base = toWorkingAudio(excerpt.audio);
      await renderExcerptStages(base, settings, { eqAndDynamics: true, saturation: false }, worker);
    }
    let pre = base;
    if (settings.saturation.enabled) {
      pre = copyOf(base);
      await renderExcerptStages(pre, settings, { eqAndDynamics: false, saturation: true }, worker);
    }
    const preLufs = measureLoudness(measuredPart(pre, excerpt)).integratedLufs;
    const fullPre = preLufs + compressedFullMinusExcerptLu(mixShortTerm, settings, excerpt);
    // Rounds before the last only need the drive close enough for the limiter's tonal effect; the final trim sets
    // the loudness.
    const last = round >= options.iterations;
    const search = await searchDrive(pre, excerpt, settings, fullPre, settings.loudness.targetLufs, drive, worker, last ? 0.05 : 0.15);
    drive = search.driveDb;
    const needsMore = search.predictedLufs < settings.loudness.targetLufs - 0.3 || search.excerptLossDb > 8;
    if (needsMore && loudLevel < LOUDNESS_LEVELS.length - 1) {
      loudLevel++;
      applyLoudnessLevel(settings, loudLevel);
      round--;
      continue;
    }
    const out = await measureExcerptTonal(measuredPart(search.limited, excerpt));
    const residualDb = targetExcerpt.map((t, b) => {
      const v = t - out.levelsDbReLufs[b];
      return Number.isFinite(v) ? v : 0;
    });
    rounds.push({ driveDb: drive, residualDb: residualDb.map(round2), meanAbsResidualDb: residualDb.reduce((a, v) => a + Math.abs(v), 0) / residualDb.length });
    // A fold that bought less than MIN_GAIN_DB will not be followed by one that buys more: stop rendering.
    const previous = rounds.length > 1 ? rounds[rounds.length - 2].meanAbsResidualDb : Infinity;
    const stalled = previous - rounds[rounds.length - 1].meanAbsResidualDb < MIN_GAIN_DB;
    if (round >= options.iterations || stalled || !settings.eq.enabled || settings.eq.amount === 0 || settings.eq.mode !== 'curve') {
      return { rounds, pre, drive: search };
    }
    foldResidual(settings, limits, residualDb, options.damping);
    base = null;
  }
}

/** Adds a tonal-band residual to both EQ curves, within the derive limits. */
export function foldResidual(settings: MasteringSettings, limits: EqLimits, residualDb: number[], damping: number): void {
  // The amount scales the stored curve at render time, so the correction is divided by it.
  const scale = damping / settings.eq.amount;
  const { curve } = settings.eq;
  for (let i = 0; i < curve.frequenciesHz.length; i++) {
    const r = residualAt(residualDb, curve.frequenciesHz[i]) * scale;
    curve.midDb[i] = round2(clampEq(curve.midDb[i] + r, limits.midMaxBoostDb[i], limits.maxCutDb));
    curve.sideDb[i] = round2(clampEq(curve.sideDb[i] + r, limits.sideMaxBoostDb[i], limits.maxCutDb));
  }
  holdCurve(curve.midDb, limits.holdFromIndex);
  holdCurve(curve.sideDb, limits.holdFromIndex);
}
