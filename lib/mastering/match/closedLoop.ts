/**
 * Closed-loop refinement on a probe: short segments spread evenly over the track, rendered through the whole chain.
 * Compression and limiting reshape the spectrum (limiting eats low end), so the EQ derived from the analyses alone
 * misses the target once the whole chain runs. Each round renders the probe at the drive the loudness target needs,
 * measures the third-octave residual against the reference and folds it into both EQ curves (within the same limits
 * as derive).
 *
 * Why segments spread over the whole track rather than its loudest stretch: the tonal metric is the whole track's
 * long-term spectrum, and a dynamic track's loud chorus is not its verse. With one loudest 30 s excerpt the loop
 * converged on the excerpt (residual 0.5 dB) while the full render of a dynamic orchestral track stayed 1.25 dB off
 * and needed a second full-length render; evenly spread segments stand for the whole track, so the one full render
 * lands where the probe did.
 *
 * The probe stands for the full track through offsets, not absolute levels: the tonal target of the probe is the
 * reference's tonal balance plus how the mix's probe differs from the whole mix, and the limiter drive is chosen so
 * that the predicted FULL-track loudness (full pre-limiter loudness + drive - the probe's limiting loss) hits the
 * target.
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
import { splitRender, type SplitScratch } from '../chain/splitRender';
import type { MasteringSettings } from '../settings';
import { clampEq, holdCurve, round2, type EqLimits } from './derive';

export interface ProbeSegment {
  /** Frames of the probe's audio that are measured (the rest is pre-roll for filter, compressor and limiter state,
   * and post-roll for the linear-phase FIR's look-ahead). */
  measureStart: number;
  measureEnd: number;
  /** Where the measured part starts in the track. */
  startSeconds: number;
}

export interface Probe {
  /** The segments with their rolls, back to back. */
  audio: PcmAudio;
  segments: ProbeSegment[];
  /** A frame between two segments where the probe can be cut in two for the second core; null = do not cut. */
  splitAt: number | null;
}

const PRE_ROLL_SECONDS = 2;
const POST_ROLL_SECONDS = 0.3;
export const PROBE_SEGMENTS = 8;
export const PROBE_SEGMENT_SECONDS = 4;

/**
 * Fresh memory is expensive on the machines this runs on: every first touch of a page faults into the hypervisor, and
 * measured there a new 78 MB buffer cost 220-340 ms before any work was done in it (refilling it again: 3 ms). The
 * loop therefore renders into buffers it keeps (ProbeBuffers) instead of copying into new ones per evaluation.
 */
export interface ProbePlan {
  /** Source frames of each segment: [from, to) copied, [measureFrom, measureTo) measured. */
  ranges: { from: number; measureFrom: number; measureTo: number; to: number }[];
  segments: ProbeSegment[];
  splitAt: number | null;
  /** Frames of the probe (all ranges back to back). */
  length: number;
}

/**
 * `segments` stretches of `segmentSeconds`, evenly spread over the part of the track that is not silence or a long
 * fade (short-term loudness within 30 LU of its maximum), each with its pre- and post-roll. A track too short for
 * that is probed whole.
 */
export function planProbe(frames: number, rate: number, shortTermLufs: number[], hopSeconds: number, segments = PROBE_SEGMENTS, segmentSeconds = PROBE_SEGMENT_SECONDS): ProbePlan {
  const total = frames / rate;
  if (total < segments * (segmentSeconds + PRE_ROLL_SECONDS + POST_ROLL_SECONDS) * 1.5) {
    return { ranges: [{ from: 0, measureFrom: 0, measureTo: frames, to: frames }], segments: [{ measureStart: 0, measureEnd: frames, startSeconds: 0 }], splitAt: null, length: frames };
  }
  // ST value k covers the 3 s ending at (k+1)·hop.
  let max = -Infinity;
  for (const v of shortTermLufs) if (Number.isFinite(v) && v > max) max = v;
  let first = -1;
  let last = -1;
  shortTermLufs.forEach((v, k) => {
    if (Number.isFinite(v) && v > max - 30) {
      if (first < 0) first = k;
      last = k;
    }
  });
  let activeStart = first >= 0 ? Math.max(0, (first + 1) * hopSeconds - 3) : 0;
  let activeEnd = last >= 0 ? Math.min(total, (last + 1) * hopSeconds) : total;
  if (activeEnd - activeStart < segments * segmentSeconds * 1.5) {
    activeStart = 0;
    activeEnd = total;
  }
  const span = activeEnd - activeStart;
  const ranges: ProbePlan['ranges'] = [];
  const probeSegments: ProbeSegment[] = [];
  let at = 0;
  let splitAt: number | null = null;
  for (let k = 0; k < segments; k++) {
    const centre = activeStart + ((k + 0.5) * span) / segments;
    const start = Math.min(Math.max(0, centre - segmentSeconds / 2), total - segmentSeconds);
    const measureFrom = Math.round(start * rate);
    const measureTo = Math.min(frames, measureFrom + Math.round(segmentSeconds * rate));
    const range = {
      from: Math.max(0, measureFrom - Math.round(PRE_ROLL_SECONDS * rate)),
      measureFrom,
      measureTo,
      to: Math.min(frames, measureTo + Math.round(POST_ROLL_SECONDS * rate)),
    };
    ranges.push(range);
    probeSegments.push({ measureStart: at + measureFrom - range.from, measureEnd: at + measureTo - range.from, startSeconds: measureFrom / rate });
    at += range.to - range.from;
    if (k === Math.floor(segments / 2) - 1) splitAt = at;
  }
  return { ranges, segments: probeSegments, splitAt, length: at };
}

/** Copies the plan's ranges of `channels` back to back into `into` (which must be plan.length long). */
export function cutProbe<T extends Float32Array | Float64Array>(plan: ProbePlan, channels: ArrayLike<number>[], into: T[]): T[] {
  channels.forEach((c, ch) => {
    const out = into[ch];
    let at = 0;
    for (const r of plan.ranges) {
      out.set((c as Float32Array).subarray(r.from, r.to), at);
      at += r.to - r.from;
    }
  });
  return into;
}

export function selectProbe(pcm: PcmAudio, shortTermLufs: number[], hopSeconds: number, segments = PROBE_SEGMENTS, segmentSeconds = PROBE_SEGMENT_SECONDS): Probe {
  const plan = planProbe(pcm.channels[0].length, pcm.sampleRate, shortTermLufs, hopSeconds, segments, segmentSeconds);
  if (plan.ranges.length === 1 && plan.length === pcm.channels[0].length) return { audio: pcm, segments: plan.segments, splitAt: null };
  const channels = cutProbe(plan, pcm.channels, pcm.channels.map(() => new Float32Array(plan.length)));
  return { audio: { sampleRate: pcm.sampleRate, channels }, segments: plan.segments, splitAt: plan.splitAt };
}

/** The measured parts of a rendered probe, back to back (into `into` when given, else a new copy). */
export function measuredPart(work: { sampleRate: number; channels: ArrayLike<number>[] }, probe: Pick<Probe, 'segments'>, into?: Float32Array[]): PcmAudio {
  const length = probe.segments.reduce((a, s) => a + s.measureEnd - s.measureStart, 0);
  const channels = work.channels.map((c, ch) => {
    const out = into?.[ch]?.length === length ? into[ch] : new Float32Array(length);
    let at = 0;
    for (const s of probe.segments) {
      out.set((c as Float32Array).subarray(s.measureStart, s.measureEnd), at);
      at += s.measureEnd - s.measureStart;
    }
    return out;
  });
  return { sampleRate: work.sampleRate, channels };
}

/** Buffers the loop renders into, reused across rounds and drive evaluations (see the note on ProbePlan). */
export class ProbeBuffers {
  private readonly slots: WorkingAudio[] = [];
  private measured: Float32Array[] = [];
  /** Second-core scratch for splitRender over the probe. */
  readonly split: SplitScratch = {};

  /** A working buffer shaped like `src` (slot 0, 1, ...) holding a copy of it. */
  copy(src: WorkingAudio, slot: number): WorkingAudio {
    let buffer = this.slots[slot];
    if (!buffer || buffer.channels.length !== src.channels.length || buffer.channels[0].length !== src.channels[0].length) {
      buffer = { sampleRate: src.sampleRate, channels: src.channels.map((c) => new Float64Array(c.length)) };
      this.slots[slot] = buffer;
    }
    buffer.sampleRate = src.sampleRate;
    buffer.channels.forEach((c, i) => c.set(src.channels[i]));
    return buffer;
  }

  /** Slot `slot` filled from float32 audio (the first render of a round). */
  load(src: PcmAudio, slot: number): WorkingAudio {
    return this.copy(src as unknown as WorkingAudio, slot);
  }

  measuredPart(work: WorkingAudio, probe: Pick<Probe, 'segments'>): PcmAudio {
    const part = measuredPart(work, probe, this.measured);
    this.measured = part.channels;
    return part;
  }
}

export interface ProbeTonal {
  lufs: number;
  /** dB re LUFS per tonal band. */
  levelsDbReLufs: number[];
}

export async function measureProbeTonal(pcm: PcmAudio): Promise<ProbeTonal> {
  const lufs = measureLoudness(pcm).integratedLufs;
  const tonal = tonalSpectrumFromLongTerm(await longTermSpectrum(pcm), lufs);
  return { lufs, levelsDbReLufs: tonal.levelsDb.map((v) => v - lufs) };
}

/** The probe's limiter at `driveDb` into buffer slot `slot` (a copy of `pre`). */
async function limitedCopy(pre: WorkingAudio, probe: Pick<Probe, 'splitAt'>, settings: MasteringSettings, driveDb: number, worker: ChainWorker | null, buffers: ProbeBuffers, slot: number): Promise<WorkingAudio> {
  const copy = buffers.copy(pre, slot);
  const limiter = limiterSettingsFrom(settings, driveDb);
  await splitRender(copy, worker, (part) => processLimiter(part, limiter), (part) => ({ kind: 'limit', work: part, limiter }), buffers.split, probe.splitAt);
  return copy;
}

/** Pre-limiter stages over the probe, cut between two segments so half of it runs on the worker when there is one. */
async function renderProbeStages(work: WorkingAudio, probe: Probe, settings: MasteringSettings, stages: PreLimiterStages, worker: ChainWorker | null, buffers: ProbeBuffers): Promise<void> {
  const fir = stages.eqAndDynamics ? await designChainFir(settings, work.sampleRate) : null;
  const snapshot = structuredClone(settings);
  await splitRender(work, worker, (part) => renderPreLimiter(part, snapshot, fir, stages), (part) => ({ kind: 'pre', work: part, settings: snapshot, fir, stages }), buffers.split, probe.splitAt);
}

const clampDrive = (g: number) => Math.max(-24, Math.min(36, g));

export interface DriveSearch {
  driveDb: number;
  /** Predicted full-track loudness at that drive (differs from the target when the target is out of reach). */
  predictedLufs: number;
  /** Loudness lost to limiting on the probe at that drive (LU). */
  probeLossDb: number;
  limited: WorkingAudio;
}

/**
 * Limiter drive so that fullPreLufs + drive - loss(drive) = targetLufs, loss measured on the probe. Secant
 * iterations; each costs one limiter pass over the probe.
 */
export async function searchDrive(
  pre: WorkingAudio,
  probe: Pick<Probe, 'segments' | 'splitAt'>,
  settings: MasteringSettings,
  fullPreLufs: number,
  targetLufs: number,
  startDriveDb?: number,
  worker: ChainWorker | null = null,
  toleranceLu = 0.05,
  buffers: ProbeBuffers = new ProbeBuffers(),
): Promise<DriveSearch> {
  const preLufs = measureLoudness(buffers.measuredPart(pre, probe)).integratedLufs;
  // Two limiter buffers, alternating: the secant keeps the previous evaluation while it makes the next.
  let slot = 0;
  const predict = async (drive: number) => {
    slot = slot === 1 ? 2 : 1;
    const limited = await limitedCopy(pre, probe, settings, drive, worker, buffers, slot);
    const outLufs = measureLoudness(buffers.measuredPart(limited, probe)).integratedLufs;
    const loss = preLufs + drive - outLufs;

    return { limited, loss, full: fullPreLufs + drive - loss };
  };
  let g0 = clampDrive(startDriveDb ?? targetLufs - fullPreLufs);
  let r0 = await predict(g0);
  if (Math.abs(r0.full - targetLufs) < toleranceLu) return { driveDb: g0, predictedLufs: r0.full, probeLossDb: r0.loss, limited: r0.limited };
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
  return { driveDb: g1, predictedLufs: r1.full, probeLossDb: r1.loss, limited: r1.limited };
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
  /** Folds of the residual into the EQ (each followed by another probe render). */
  iterations: number;
  damping: number;
}

/**
 * How much louder (LU) the whole track is than the probe once the compressor has worked: the compressor's static
 * curve applied to the mix's short-term loudness (as detector level ≈ LUFS - 0.7 dB), then a gated energy mean over
 * the whole track and over the probe's segments. The probe is spread over the track, so this is small, but gating
 * and a compressor that lifts quiet sections still move it by a few tenths of a LU, which would mislead the drive.
 */
export function compressedFullMinusProbeLu(shortTerm: { lufs: number[]; hopSeconds: number }, settings: MasteringSettings, probe: Probe): number {
  const comp = scaledCompressor(settings.dynamics);
  const shifted = shortTerm.lufs.map((v) => {
    if (!Number.isFinite(v) || v < -70) return -Infinity;
    return comp.enabled && !comp.multiband ? v + compressorStaticGainDb(v - 0.7, comp) + comp.makeupDb : v;
  });
  const gatedMean = (vals: number[]) => {
    const live = vals.filter((v) => v > -70);
    if (live.length === 0) return -Infinity;
    const mean = (xs: number[]) => 10 * Math.log10(xs.reduce((a, v) => a + 10 ** (v / 10), 0) / xs.length);
    const ungated = mean(live);
    const gated = live.filter((v) => v > ungated - 10);
    return mean(gated.length ? gated : live);
  };
  const hop = shortTerm.hopSeconds;
  const rate = probe.audio.sampleRate;
  const inProbe: number[] = [];
  for (const segment of probe.segments) {
    const lengthSeconds = (segment.measureEnd - segment.measureStart) / rate;
    // ST value k covers the 3 s ending at (k+1)·hop: take the values whose window lies inside the segment.
    const from = Math.max(0, Math.round((segment.startSeconds + Math.min(3, lengthSeconds)) / hop) - 1);
    const to = Math.max(from + 1, Math.round((segment.startSeconds + lengthSeconds) / hop));
    inProbe.push(...shifted.slice(from, to));
  }
  const full = gatedMean(shifted);
  const part = gatedMean(inProbe);
  return Number.isFinite(full) && Number.isFinite(part) ? full - part : 0;
}

/** Residual at the tonal band centres → gain at f (log-interpolated, ends held). */
function residualAt(residual: number[], f: number): number {
  return curveGainDbAt({ frequenciesHz: TONAL_BANDS.centresHz, gainDb: residual }, f);
}

/** Smallest improvement of the mean residual (dB) per fold that is worth another probe render. */
const MIN_GAIN_DB = 0.1;

export async function refineOnProbe(
  settings: MasteringSettings,
  limits: EqLimits,
  probe: Probe,
  mixFull: { lufs: number; tonalDbReLufs: number[] },
  mixProbe: ProbeTonal,
  targetTonalDbReLufs: number[],
  mixShortTerm: { lufs: number[]; hopSeconds: number },
  options: LoopOptions,
  worker: ChainWorker | null = null,
): Promise<{ rounds: LoopRound[]; pre: WorkingAudio; drive: DriveSearch }> {
  const rounds: LoopRound[] = [];
  const targetProbe = targetTonalDbReLufs.map((t, b) => t + (mixProbe.levelsDbReLufs[b] - mixFull.tonalDbReLufs[b]));
  let drive: number | undefined;
  let loudLevel = 0;
  const buffers = new ProbeBuffers();
  // EQ and dynamics output (slot 3), kept while only the loudness level (saturation, limiter timing) changes; the
  // saturated copy is slot 4, the limiter's are 1 and 2.
  let base: WorkingAudio | null = null;
  for (let round = 0; ; round++) {
    if (!base) {
      base = buffers.load(probe.audio, 3);
      await renderProbeStages(base, probe, settings, { eqAndDynamics: true, saturation: false }, worker, buffers);
    }
    let pre = base;
    if (settings.saturation.enabled) {
      pre = buffers.copy(base, 4);
      await renderProbeStages(pre, probe, settings, { eqAndDynamics: false, saturation: true }, worker, buffers);
    }
    const preLufs = measureLoudness(buffers.measuredPart(pre, probe)).integratedLufs;
    const fullPre = preLufs + compressedFullMinusProbeLu(mixShortTerm, settings, probe);
    // Rounds before the last only need the drive close enough for the limiter's tonal effect; the final trim sets
    // the loudness.
    const last = round >= options.iterations;
    const search = await searchDrive(pre, probe, settings, fullPre, settings.loudness.targetLufs, drive, worker, last ? 0.05 : 0.15, buffers);
    drive = search.driveDb;
    const needsMore = search.predictedLufs < settings.loudness.targetLufs - 0.3 || search.probeLossDb > 8;
    if (needsMore && loudLevel < LOUDNESS_LEVELS.length - 1) {
      loudLevel++;
      applyLoudnessLevel(settings, loudLevel);
      round--;
      continue;
    }
    const out = await measureProbeTonal(buffers.measuredPart(search.limited, probe));
    const residualDb = targetProbe.map((t, b) => {
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
