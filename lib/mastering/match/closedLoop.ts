/**
 * The closed loop around the full render (masterTrack.ts): the limiter drive that hits the loudness target, the
 * loudness levels it may step up through, and the fold of a measured tonal residual back into the EQ.
 *
 * The drive is searched on a probe: short segments spread evenly over the track, cut from the full pre-limiter render,
 * each with a pre-roll that settles the limiter's state. The limiter runs on the probe at a few drives (secant) until
 * the predicted full-track loudness (full pre-limiter loudness + drive - the probe's limiting loss) hits the target.
 * Segments spread over the whole track, rather than its loudest stretch, because a dynamic track's chorus is not its
 * verse: the probe's limiting loss then stands for the track's.
 *
 * Why the EQ is not refined on the probe as well: the tonal metric is the whole track's long-term spectrum, and a
 * probe of 8-16 short segments of a dynamic orchestral track converged to a 0.6 dB residual while the full render
 * stayed 0.9-1.2 dB off, at several times the cost; one fold of the full render's own residual did better.
 */
import { LoudnessMeter } from '@/lib/audio/loudness';
import { processLimiter } from '@/lib/audio/limiter';
import type { PcmAudio } from '@/lib/audio/types';
import type { WorkingAudio } from '@/lib/audio/workingAudio';
import { TONAL_BANDS } from '../analysis/tonalDistance';
import { curveGainDbAt } from '../chain/midSideFir';
import type { ChainWorker } from '../chain/chainWorkerClient';
import { limiterSettingsFrom } from '../chain/render';
import { splitRender } from '../chain/splitRender';
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

/**
 * Long enough for the linear-phase FIR's reach (≤ 0.19 s), a derived compressor's release (≤ 0.3 s) and the limiter's
 * slow attack (0.3 s) to settle before the measured part. Measured against 2 s on the six corpus masters: the same
 * loudness and tonal distance to 0.01, drives within 0.02 dB, each probe evaluation a sixth cheaper (the probe is 42 s
 * of audio instead of 50) and ~10 MB less peak memory.
 */
const PRE_ROLL_SECONDS = 1;
const POST_ROLL_SECONDS = 0.3;
export const PROBE_SEGMENTS = 8;
export const PROBE_SEGMENT_SECONDS = 4;

/**
 * Fresh memory is expensive on the machines this runs on: every first touch of a page faults into the hypervisor, and
 * measured there a new 78 MB buffer cost 220-340 ms before any work was done in it (refilling it again: 3 ms). The
 * drive search therefore renders into buffers it keeps (DriveProbe) instead of copying into new ones per evaluation.
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
  if (probedWhole(total, segments, segmentSeconds)) {
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

/** A track this short is probed whole: its segments and their rolls would cover most of it anyway. */
function probedWhole(seconds: number, segments: number, segmentSeconds: number): boolean {
  return seconds < segments * (segmentSeconds + PRE_ROLL_SECONDS + POST_ROLL_SECONDS) * 1.5;
}

/**
 * At most this many frames in planProbe's plan for a track of `frames` at `rate` (with the default segments): what
 * buffers made before the plan (ProbeBuffers) must hold. Each range is at most its rounded measured part and rolls.
 */
export function probeCapacityFrames(frames: number, rate: number): number {
  if (probedWhole(frames / rate, PROBE_SEGMENTS, PROBE_SEGMENT_SECONDS)) return frames;
  return Math.min(frames, PROBE_SEGMENTS * (Math.round(PROBE_SEGMENT_SECONDS * rate) + Math.round(PRE_ROLL_SECONDS * rate) + Math.round(POST_ROLL_SECONDS * rate)));
}

/**
 * Memory for a drive probe of up to `frames` frames per channel, made before the plan (touched on an idle thread, see
 * touchedMemory.ts): `wide` for the probe the limiter runs in (float64), `narrow` for a probe rendered on its own
 * (float32, masterTrack.ts).
 */
export interface ProbeBuffers {
  sampleRate: number;
  frames: number;
  wide: SharedArrayBuffer[];
  narrow: SharedArrayBuffer[];
}

/** `buffers` hold a probe of this plan, rate and channel count. */
export function probeBuffersFit(buffers: ProbeBuffers, plan: ProbePlan, sampleRate: number, channelCount: number): boolean {
  return buffers.sampleRate === sampleRate && buffers.frames >= plan.length && buffers.wide.length === channelCount && buffers.narrow.length === channelCount;
}

/**
 * The drive probe: its plan, and one shared-memory buffer the limiter runs in (cut afresh from the full render for
 * each evaluation, so nothing is allocated per evaluation; see the note on ProbePlan). It is kept for the second
 * render's search: dropped, its memory would come back only once both threads' collectors freed it.
 */
export class DriveProbe {
  constructor(
    readonly plan: ProbePlan,
    /** The buffers, shared with the probe asRendered makes. */
    private readonly store: { buffer: WorkingAudio | null } = { buffer: null },
  ) {}

  /** The same segments cut from audio laid out as the probe itself is (a probe rendered on its own), in this probe's buffer. */
  asRendered(): DriveProbe {
    let at = 0;
    const ranges = this.plan.ranges.map((r) => {
      const range = { from: at, measureFrom: at + r.measureFrom - r.from, measureTo: at + r.measureTo - r.from, to: at + r.to - r.from };
      at = range.to;
      return range;
    });
    return new DriveProbe({ ...this.plan, ranges }, this.store);
  }

  /** Takes `wide` (ProbeBuffers that fit) as the probe's memory; without, its own is made on first use. */
  provide(wide: SharedArrayBuffer[], sampleRate: number): void {
    this.store.buffer ??= { sampleRate, channels: wide.map((b) => new Float64Array(b, 0, this.plan.length)) };
  }

  /** The plan's ranges of `full`, back to back in the probe buffer. */
  cut(full: WorkingAudio): WorkingAudio {
    const { length, ranges } = this.plan;
    if (!this.store.buffer || this.store.buffer.channels.length !== full.channels.length) {
      this.store.buffer = { sampleRate: full.sampleRate, channels: full.channels.map(() => new Float64Array(new SharedArrayBuffer(length * Float64Array.BYTES_PER_ELEMENT))) };
    }
    this.store.buffer.sampleRate = full.sampleRate;
    full.channels.forEach((c, ch) => {
      let at = 0;
      for (const r of ranges) {
        this.store.buffer!.channels[ch].set(c.subarray(r.from, r.to), at);
        at += r.to - r.from;
      }
    });
    return this.store.buffer;
  }

  /** Lets go of the probe's memory (shared with the probe asRendered made); the next cut makes it again. */
  release(): void {
    this.store.buffer = null;
  }

  /** The last probe through the limiter (after searchDrive: at the drive it returned). */
  get limited(): WorkingAudio {
    if (!this.store.buffer) throw new Error('the drive probe has not been rendered yet');
    return this.store.buffer;
  }

  /** The measured parts of the last limited probe, back to back, at float32. */
  measuredOfLimited(): PcmAudio {
    const work = this.limited;
    return this.measuredPcm(work, this.plan.segments.map((s) => [s.measureStart, s.measureEnd]));
  }

  /** The same measured parts cut straight from a full-length buffer (e.g. the render before the limiter). */
  measuredOfFull(full: WorkingAudio): PcmAudio {
    return this.measuredPcm(full, this.plan.ranges.map((r) => [r.measureFrom, r.measureTo]));
  }

  private measuredPcm(work: WorkingAudio, spans: [number, number][]): PcmAudio {
    const frames = spans.reduce((a, [from, to]) => a + to - from, 0);
    const channels = work.channels.map((c) => {
      const out = new Float32Array(frames);
      let at = 0;
      for (const [from, to] of spans) {
        out.set(c.subarray(from, to), at);
        at += to - from;
      }
      return out;
    });
    return { sampleRate: work.sampleRate, channels };
  }

  /**
   * Integrated loudness of the measured parts of a rendered probe (pre-roll and post-roll left out), back to back:
   * metered as their float32 rounding (LoudnessMeter.addFramesAsFloat32), which gives what metering one float32 copy
   * of all of them would.
   */
  measuredLufs(work: WorkingAudio): number {
    const meter = new LoudnessMeter(work.sampleRate, work.channels.length);
    for (const s of this.plan.segments) meter.addFramesAsFloat32(work.channels, s.measureStart, s.measureEnd);
    return meter.result().integratedLufs;
  }
}

/** The probe, cut from the full pre-limiter render, through the limiter at `driveDb`. */
async function limitedProbe(full: WorkingAudio, probe: DriveProbe, settings: MasteringSettings, driveDb: number, worker: ChainWorker | null): Promise<WorkingAudio> {
  const work = probe.cut(full);
  const limiter = limiterSettingsFrom(settings, driveDb);
  await splitRender(work, worker, (part) => processLimiter(part, limiter), (part) => ({ kind: 'limit', work: part, limiter }), probe.plan.splitAt);
  return work;
}

/** The limiter drive's range in the settings schema. */
export const clampDriveDb = (g: number): number => Math.max(-24, Math.min(36, g));

export interface DriveSearch {
  driveDb: number;
  /** Predicted full-track loudness at that drive (differs from the target when the target is out of reach). */
  predictedLufs: number;
  /** Loudness lost to limiting on the probe at that drive (LU). */
  probeLossDb: number;
  /** The evaluation before the last (drive, predicted loudness), for a later search to continue the secant from. */
  previous?: { driveDb: number; predictedLufs: number };
}

export interface DriveSearchOptions {
  /** The first drive tried (default: the loudness gap, targetLufs - fullPreLufs). */
  startDriveDb?: number;
  /** Half of each limiter pass runs there. */
  worker?: ChainWorker | null;
  /** How close to the target the predicted loudness must come (LU; default 0.05). */
  toleranceLu?: number;
  /**
   * A coarser search of this same render, whose last evaluation (still in the probe) is taken as the first instead
   * of evaluating a start again.
   */
  resume?: DriveSearch;
  /** The full track's loudness from the limited probe, instead of fullPreLufs + drive - the probe's loss. */
  predictFull?: (limited: WorkingAudio, limitedLufs: number) => Promise<number>;
  /**
   * Where a next loudness level exists (LOUDNESS_LEVELS): the caller steps up to it when the search ends predicting
   * less than this. Below it, the search gives up on this level as soon as the limiter turns into a leveller (see
   * LEVELLING_SLOPE) rather than pushing it further.
   */
  stepUpBelowLufs?: number;
  /** The probe's own loudness before the limiter (`full` cut by `probe`), when it is metered already. */
  probePreLufs?: number;
}

/**
 * Below this much predicted loudness per dB of drive (the secant through two evaluations below the target), the
 * limiter is mostly levelling: most of any drive added goes into gain reduction. Loudness against drive only flattens
 * further (it is concave), so when the gap left would take more than LEVELLING_EXTRA_DRIVE_DB of drive even at this
 * slope, a search with a next loudness level to go to stops there: the level would be given up on anyway (on the
 * corpus, king_is_dead's third evaluation at level 0 went 2.5 dB further for 0.2 LU and then stepped up), or reached
 * with a limiter pumping several dB, which the next level's saturation and faster release spare.
 */
const LEVELLING_SLOPE = 0.35;
const LEVELLING_EXTRA_DRIVE_DB = 2;

/**
 * Limiter drive so that fullPreLufs + drive - loss(drive) = targetLufs, loss measured on the probe. Secant
 * iterations; each costs one limiter pass over the probe.
 */
export async function searchDrive(
  full: WorkingAudio,
  probe: DriveProbe,
  settings: MasteringSettings,
  fullPreLufs: number,
  targetLufs: number,
  options: DriveSearchOptions = {},
): Promise<DriveSearch> {
  const { startDriveDb, worker = null, toleranceLu = 0.05, resume, predictFull, stepUpBelowLufs = -Infinity, probePreLufs } = options;
  const preLufs = probePreLufs ?? probe.measuredLufs(probe.cut(full));
  const predict = async (drive: number) => {
    const limited = await limitedProbe(full, probe, settings, drive, worker);
    const limitedLufs = probe.measuredLufs(limited);
    const loss = preLufs + drive - limitedLufs;
    return { loss, full: predictFull ? await predictFull(limited, limitedLufs) : fullPreLufs + drive - loss };
  };
  const result = (driveDb: number, r: { loss: number; full: number }, previous?: { driveDb: number; predictedLufs: number }): DriveSearch => ({
    driveDb,
    predictedLufs: r.full,
    probeLossDb: r.loss,
    ...(previous ? { previous } : {}),
  });
  let g0 = clampDriveDb(resume?.driveDb ?? startDriveDb ?? targetLufs - fullPreLufs);
  let r0 = resume ? { loss: resume.probeLossDb, full: resume.predictedLufs } : await predict(g0);
  if (Math.abs(r0.full - targetLufs) < toleranceLu) return result(g0, r0);
  // The drives known to land below and above the target: once both are known, the next guess stays between them.
  // (Loudness against drive flattens where the limiter and saturation take over, and a secant through two points on
  // the flat part can throw the next guess far out: measured, 9.9 -> 8.4 -> 3.5 dB for a root at 6.7.)
  let below = r0.full < targetLufs ? g0 : -Infinity;
  let above = r0.full < targetLufs ? Infinity : g0;
  // Resuming: the secant through the coarse search's last two evaluations, when it had two.
  const p = resume?.previous;
  if (p && p.predictedLufs < targetLufs) below = Math.max(below, p.driveDb);
  if (p && p.predictedLufs >= targetLufs) above = Math.min(above, p.driveDb);
  const resumeSlope = p && p.driveDb !== g0 ? (r0.full - p.predictedLufs) / (g0 - p.driveDb) : NaN;
  let g1 = clampDriveDb(g0 + (targetLufs - r0.full) / (resumeSlope > 0.05 ? resumeSlope : 0.7));
  let r1 = await predict(g1);
  for (let i = 0; i < 3 && Math.abs(r1.full - targetLufs) >= toleranceLu; i++) {
    if (r1.full < targetLufs) below = Math.max(below, g1);
    else above = Math.min(above, g1);
    const slope = (r1.full - r0.full) / (g1 - g0);
    // Out of reach: more drive no longer adds loudness (the limiter has turned into a leveller).
    if (Number.isFinite(slope) && slope < 0.1 && r1.full < targetLufs && g1 > g0) break;
    // Levelling, short of where the caller steps up: the next level serves better than more drive.
    if (r1.full < stepUpBelowLufs && g1 > g0 && r0.full < targetLufs && slope < LEVELLING_SLOPE && (targetLufs - r1.full) / slope > LEVELLING_EXTRA_DRIVE_DB) break;
    let g2 = g1 + (targetLufs - r1.full) / (Number.isFinite(slope) && slope > 0.05 ? slope : 0.5);
    if (Number.isFinite(below) && Number.isFinite(above) && !(g2 > below && g2 < above)) g2 = (below + above) / 2;
    g0 = g1;
    r0 = r1;
    g1 = clampDriveDb(g2);
    r1 = await predict(g1);
  }
  return result(g1, r1, { driveDb: g0, predictedLufs: r0.full });
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

/** One full render of the closed loop, for the report: its drive and how far it stayed from the reference. */
export interface LoopRound {
  driveDb: number;
  meanAbsResidualDb: number;
  /**
   * Predicted, not measured (from the probe through the tonal model, or before the render's limiter ran): the EQ was
   * corrected before a render was finished.
   */
  predicted?: boolean;
}

/** Residual at the tonal band centres → gain at f (log-interpolated, ends held). */
function residualAt(residual: number[], f: number): number {
  return curveGainDbAt({ frequenciesHz: TONAL_BANDS.centresHz, gainDb: residual }, f);
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
