/**
 * One mastering run: analyse → derive (or take given settings) → render the full track (drive found on a probe of
 * it) → verify loudness/true peak (trim), and once more with the tonal residual folded in when it is off → encode.
 * Before the track is rendered, the probe alone (rendered from the mix) finds the loudness level and drive, and the
 * tonal model (tonalModel.ts) predicts from it the whole render's residual, which is folded into the EQ first. Without
 * the model (a mono mix, a mix resampled for delivery, a short track), the first render's residual is predicted
 * before its limiter runs (pre-limiter spectrum of the whole track plus the limiter's effect on the probe), so a
 * render that is going to be corrected is not finished first.
 * The "master" job and the CLI both call this through masterFiles.ts.
 */
import type { EncodedAudio } from '@/lib/audio/encode/encodedAudio';
import { measureLoudness, type LoudnessResult } from '@/lib/audio/loudness';
import { processLimiter, type LimiterStats } from '@/lib/audio/limiter';
import { resample } from '@/lib/audio/resample';
import type { PcmAudio } from '@/lib/audio/types';
import { dbToGain, inSharedMemory, narrowInPlace, toPcmAudio, type WorkingAudio } from '@/lib/audio/workingAudio';
import { blocksFrom } from '@/lib/audio/encode/wav';
import type { BandSet } from '../analysis/bands';
import { longTermSpectrum, type LongTermSpectrum } from '../analysis/longTermSpectrum';
import { joinSegmentBands, segmentBandsAt, type SegmentBands } from '../analysis/segmentBands';
import { measureTonalSpectrum, tonalDistanceDb, tonalSpectrumFromLongTerm, type TonalSpectrum } from '../analysis/tonalDistance';
import { effectiveMidSideCurves } from '../chain/effectiveCurves';
import { encodeMaster } from '../chain/encodeMaster';
import type { MidSideFir } from '../chain/midSideFir';
import { measureOutputLevels, type OutputLevels } from '../chain/outputLevels';
import { measureLoudnessOn2 } from '../chain/splitLoudness';
import type { CompressorStats } from '@/lib/audio/compressor';
import type { ChainTask } from '../chain/chainWorker';
import { ChainWorker } from '../chain/chainWorkerClient';
import { collectGarbage } from '../collectGarbage';
import { designChainFir, limiterSettingsFrom, renderPreLimiter, type PreLimiterStages, type PreLimiterStats } from '../chain/render';
import { allocateSplittable, mergeGainReductionStats, splitRender } from '../chain/splitRender';
import { buildReport, nullIfNonFinite, type LoudnessFigures, type MasterState, type MasteringReport } from '../report/report';
import { deliveryRate, masteringSettingsSchema, type MasteringSettings, type OutputSettings } from '../settings';
import { applyLoudnessLevel, clampDriveDb, DriveProbe, foldResidual, LOUDNESS_LEVELS, planProbe, probeBuffersFit, searchDrive, type DriveSearch, type LoopRound, type ProbeBuffers } from './closedLoop';
import { deriveSettings, refitBands, round2, type DeriveOptions, type Derivation } from './derive';
import { eqLimitWarning } from './eqLimitWarning';
import { TonalModel } from './tonalModel';
import { analyzeForMatch, type MatchAnalysis } from './matchAnalysis';
import type { StreamedMix } from './mixFile';
import { layoutOffsetDb, referenceInMixLayout } from './playbackLayout';

export const MASTER_STEPS = ['analyse', 'derive', 'render', 'verify', 'encode'] as const;
export type MasterStep = (typeof MASTER_STEPS)[number];

export interface MasterProgress {
  step: MasterStep;
  stepIndex: number;
  stepCount: number;
  /** 0..1 over the whole run. */
  fraction: number;
}

export interface MasterReferenceInput {
  /** The reference's samples, or (instead) its analysis made elsewhere. */
  audio?: PcmAudio;
  analysis?: MatchAnalysis | Promise<MatchAnalysis>;
  weight?: number;
}

export interface MasterOptions extends Omit<DeriveOptions, 'output'> {
  output?: Partial<OutputSettings>;
  /** Skip encoding (benchmarks and tests that only need the float result). */
  encode?: boolean;
  /** Analyses already made (e.g. in worker threads): skips the analyse step for those tracks. */
  analyses?: { mix?: MatchAnalysis; references?: MatchAnalysis[] };
  /** After each stage: its wall time and the CPU time of the whole process (all threads) it took. */
  onStage?: (stage: string, wallSeconds: number, cpuSeconds: number) => void;
  /**
   * Predict the first render's tonal residual before its limiter runs and correct the EQ right away (default true);
   * false finishes the first render and folds its measured residual (what the prediction is tested against).
   */
  predictResidual?: boolean;
  /**
   * Fold the tonal correction the model predicts from the probe (tonalModel.ts) into the EQ before the track is
   * rendered (default true); false starts from the derived EQ.
   */
  modelResidual?: boolean;
  /** Use a worker thread (second core) for the reference analyses and half of each render (default true). */
  parallel?: boolean;
  /** A chain worker already started (e.g. before decoding, so its start-up overlaps); the caller closes it. */
  worker?: ChainWorker;
  /**
   * Memory for the drive probe made elsewhere meanwhile (touched on the chain worker while this thread derives the
   * settings, masterFiles.ts); buffers that do not fit the probe (a mix resampled for delivery) are left to the collector.
   */
  probeBuffers?: Promise<ProbeBuffers | null>;
  /**
   * The references' sample buffers may be moved to the worker (they are unusable to the caller afterwards): saves
   * a copy and frees their memory right after analysis. Default false.
   */
  transferReferences?: boolean;
}

export interface MasterTrackInput {
  /** In memory, or (from a file) already in the render's working buffer and read again for later renders. */
  mix: PcmAudio | StreamedMix;
  references: MasterReferenceInput[];
  /** Render these as-is (human in the loop): no derivation, no refinement, stored drive and trim used unchanged. */
  settings?: MasteringSettings;
  options?: MasterOptions;
  onProgress?: (progress: MasterProgress) => void;
}

export interface MasterTrackResult {
  settings: MasteringSettings;
  report: MasteringReport;
  /** Final float audio at the delivery rate (before dither). */
  audio: PcmAudio;
  encoded: EncodedAudio | null;
}

const STEP_WEIGHTS: Record<MasterStep, number> = { analyse: 0.25, derive: 0.02, render: 0.45, verify: 0.13, encode: 0.15 };
/** Aim the drive a little loud: a final trim down keeps the ceiling, a trim up may not. */
const LOUDNESS_AIM_LU = 0.15;
/**
 * A drive search stops within this of the aim where its drive only has to be close enough for the limiter's effect on
 * the spectrum, and to start the next search from: on the probe rendered before the track (the tonal model's), and in
 * a first render that may yet be abandoned for a tonal correction (predicted before its limiter runs), where it is
 * refined to the usual tolerance when the render is kept.
 */
const COARSE_SEARCH_LU = 0.3;
/**
 * Tonal distance (dB) above which the full render's residual is folded into the EQ and the track rendered once more.
 * The residual comes from the whole track, not from an excerpt: one fold from it did better than three rounds on a
 * probe (a dynamic orchestral track's probe of 8-16 short segments converged to 0.6 dB while the full render stayed
 * 0.9-1.2 dB off, and cost several times more). Measured again this session: predicting the output from the probe
 * alone (its spectrum change through the whole chain, applied to the mix's spectrum) missed king_is_dead's render by
 * 0.9 dB per band on average, the compressor's and saturation's effects depending on which passages the probe holds.
 * The limiter's effect alone carries over from the probe: with the whole track's pre-limiter spectrum it predicted
 * the first render's distance within 0.05 dB on the five corpus pairs that needed the fold (see foldBeforeLimiting).
 */
export const FULL_TRACK_CORRECTION_ABOVE_DB = 1.0;
/** A tonal distance difference (dB) not worth another full render (the ear cannot tell it; run-to-run noise is ~0.01). */
const MARGINAL_DISTANCE_DB = 0.05;

function loudnessFigures(l: LoudnessResult, truePeakDbtp: number, samplePeakDbfs: number): LoudnessFigures {
  return {
    integratedLufs: nullIfNonFinite(l.integratedLufs),
    loudnessRangeLu: nullIfNonFinite(l.loudnessRangeLu),
    momentaryMaxLufs: nullIfNonFinite(l.momentaryMaxLufs),
    shortTermMaxLufs: nullIfNonFinite(l.shortTermMaxLufs),
    truePeakDbtp: nullIfNonFinite(truePeakDbtp),
    samplePeakDbfs: nullIfNonFinite(samplePeakDbfs),
    plrDb: nullIfNonFinite(truePeakDbtp - l.integratedLufs),
  };
}

function blendTonal(refs: MatchAnalysis[], weights: number[]): TonalSpectrum | null {
  if (refs.length === 0) return null;
  const total = weights.reduce((a, b) => a + b, 0);
  const levelsDb = refs[0].tonal.levelsDb.map((_, b) => refs.reduce((s, r, i) => s + weights[i] * (r.tonal.levelsDb[b] - r.integratedLufs), 0) / total);
  return { centresHz: refs[0].tonal.centresHz, levelsDb, integratedLufs: 0 };
}

function distances(refs: MatchAnalysis[], blend: TonalSpectrum | null, candidate: TonalSpectrum): { each: (number | null)[]; blend: number | null } {
  return {
    each: refs.map((r) => nullIfNonFinite(tonalDistanceDb(r.tonal, candidate))),
    blend: blend ? nullIfNonFinite(tonalDistanceDb(blend, candidate)) : null,
  };
}

/** Tonal spectrum of audio relative to its own loudness. */
function tonalOf(pcm: PcmAudio): Promise<TonalSpectrum> {
  return measureTonalSpectrum(pcm, measureLoudness(pcm).integratedLufs);
}

function asPcm(work: WorkingAudio): PcmAudio {
  return work as unknown as PcmAudio;
}

/** Float32 audio where only reading (cutting, measuring) is done with it. */
function asWorking(pcm: PcmAudio): WorkingAudio {
  return pcm as unknown as WorkingAudio;
}

export async function masterTrack(input: MasterTrackInput): Promise<MasterTrackResult> {
  const given = input.options?.worker;
  const worker = given ?? (input.options?.parallel === false ? null : new ChainWorker());
  try {
    return await masterTrackWith(input, worker);
  } finally {
    if (!given) await worker?.close();
  }
}

function mergeCompressorStats(parts: { stats: PreLimiterStats; frames: number }[]): CompressorStats | null {
  const first = parts[0].stats.compressor;
  if (!first) return null;
  return { bands: first.bands.map((_, b) => mergeGainReductionStats(parts.map((p) => ({ stats: p.stats.compressor!.bands[b], frames: p.frames })))) };
}

function mergeLimiterStats(parts: { stats: LimiterStats; frames: number }[]): LimiterStats {
  return {
    gainReduction: mergeGainReductionStats(parts.map((p) => ({ stats: p.stats.gainReduction, frames: p.frames }))),
    correctionPasses: Math.max(...parts.map((p) => p.stats.correctionPasses)),
    correctedOvers: parts.reduce((a, p) => a + p.stats.correctedOvers, 0),
    clampedSamples: parts.reduce((a, p) => a + p.stats.clampedSamples, 0),
  };
}

async function masterTrackWith(input: MasterTrackInput, worker: ChainWorker | null): Promise<MasterTrackResult> {
  const options = input.options ?? {};
  const started = performance.now();
  let stageStart = started;
  let stageCpu = process.cpuUsage();
  const stage = (name: string) => {
    const now = performance.now();
    const cpu = process.cpuUsage(stageCpu);
    options.onStage?.(name, (now - stageStart) / 1000, (cpu.user + cpu.system) / 1e6);
    stageStart = now;
    stageCpu = process.cpuUsage();
  };
  let done = 0;
  const progress = (step: MasterStep) => {
    input.onProgress?.({ step, stepIndex: MASTER_STEPS.indexOf(step), stepCount: MASTER_STEPS.length, fraction: Math.min(1, done) });
  };
  const finishStep = (step: MasterStep) => {
    done += STEP_WEIGHTS[step];
    stage(step);
  };
  let streamed: StreamedMix | null = 'loaded' in input.mix ? input.mix : null;
  let mix: PcmAudio | null = 'loaded' in input.mix ? null : input.mix;
  const mixRate = streamed ? streamed.sampleRate : mix!.sampleRate;
  const channelCount = streamed ? streamed.channelCount : mix!.channels.length;
  if (channelCount < 1 || channelCount > 2) throw new Error('mastering supports mono and stereo mixes');

  // 1. Analyse.
  progress('analyse');
  // References go to the worker (one after another) while this thread analyses the mix.
  const analyzeReference = (audio: PcmAudio): Promise<MatchAnalysis> => {
    if (!worker) return analyzeForMatch(audio);
    const transfer = options.transferReferences ? [...new Set(audio.channels.map((c) => c.buffer as ArrayBuffer))] : [];
    return worker.run<MatchAnalysis>({ kind: 'analyze', pcm: { sampleRate: audio.sampleRate, channels: audio.channels }, options: {} }, transfer);
  };
  const refPromise = options.analyses?.references
    ? Promise.resolve(options.analyses.references)
    : (async () => {
        const out: MatchAnalysis[] = [];
        for (const r of input.references) {
          if (r.analysis) out.push(await r.analysis);
          else if (r.audio) out.push(await analyzeReference(r.audio));
          else throw new Error('a reference needs its audio or its analysis');
        }
        return out;
      })();
  refPromise.catch(() => undefined);
  if (!options.analyses?.mix && !mix) throw new Error('a streamed mix comes with its analysis');
  const mixAnalysis = options.analyses?.mix ?? (await analyzeForMatch(mix!, { truePeak: true, segmentBands: true }));
  // Compared as heard: a reference in another layout (mono against stereo) is put in the mix's terms (playbackLayout.ts).
  const refAnalyses = (await refPromise).map((r) => referenceInMixLayout(r, channelCount));
  const weights = input.references.map((r) => r.weight ?? 1);
  while (weights.length < refAnalyses.length) weights.push(1);
  finishStep('analyse');

  // 2. Derive or take the given settings.
  progress('derive');
  let derivation: Derivation | null = null;
  let settings: MasteringSettings;
  if (input.settings) {
    settings = masteringSettingsSchema.parse(structuredClone(input.settings));
  } else {
    if (refAnalyses.length === 0) throw new Error('a reference (or settings) is needed');
    derivation = deriveSettings(
      mixAnalysis,
      refAnalyses.map((analysis, i) => ({ analysis, weight: weights[i] })),
      { ...options, output: undefined },
    );
    settings = derivation.settings;
    const layoutNotes = new Set(refAnalyses.filter((r) => layoutOffsetDb(r.channels, channelCount) !== 0).map((r) => r.channels));
    for (const refChannels of layoutNotes) {
      derivation.reasons.push(
        refChannels === 1
          ? 'A reference is mono: it is matched as it plays on two loudspeakers (dual mono, 3.0 LU louder than its one-channel measurement).'
          : 'The mix is mono and plays on two loudspeakers (3.0 LU louder than its one-channel measurement): the loudness target is set so it sounds as loud as the stereo reference.',
      );
    }
    settings.output = { ...settings.output, ...options.output };
    if (options.target?.kind === 'custom' || options.target?.kind === 'platform') settings.loudness.targetLufs = derivation.settings.loudness.targetLufs;
  }
  finishStep('derive');

  // Delivery rate first (see chain/render.ts).
  // Deliver at 44.1/48/88.2/96 kHz (MP3 at 44.1/48) even when the mix is at another rate: keeping the mix's rate gave
  // a 192 kHz WAV, or an MP3 encoder refusing 22.05 kHz after the whole render. Recorded in the settings only when it
  // differs from the mix's, so settings of mixes at a delivery rate stay as they were.
  const outRate = deliveryRate(settings.output, mixRate);
  if (settings.output.sampleRate === null && outRate !== mixRate) settings.output.sampleRate = outRate as OutputSettings['sampleRate'];
  if (streamed && outRate !== mixRate) {
    // Resampled first (see chain/render.ts): from a float32 copy, as an in-memory mix would be.
    mix = toPcmAudio(streamed.loaded);
    streamed = null;
  }
  /** The mix at the delivery rate, when in memory (a streamed mix is read into the working buffer instead). */
  const source = mix ? (outRate === mix.sampleRate ? mix : resample(mix, outRate)) : null;
  const frames = source ? source.channels[0].length : streamed!.frames;
  const target = settings.loudness.targetLufs;

  // 3-4. Render the full track, verify and trim; with derived settings, one full-track correction when the EQ derived
  // from the analyses misses the reference by more than FULL_TRACK_CORRECTION_ABOVE_DB once compression, saturation
  // and limiting have reshaped the spectrum: predicted before the first render's limiter runs, and otherwise measured
  // on the finished render (its long-term spectrum is measured anyway, for the report).
  const blend = blendTonal(refAnalyses, weights);
  // Every full pass renders into the same buffers (the track's working copy in shared memory, the drive probe): on
  // the machines this runs on a fresh 150 MB buffer costs about half a second in page faults alone.
  let workBuffer: WorkingAudio | null = null;
  const driveProbe = new DriveProbe(planProbe(frames, outRate, mixAnalysis.shortTermLufs, mixAnalysis.shortTermHopSeconds));
  const madeAhead = await options.probeBuffers?.catch(() => null);
  /** The float32 probe's memory made ahead, until the probe is rendered (taken out of madeAhead, which the caller holds). */
  let narrowAhead: SharedArrayBuffer[] | null = null;
  if (madeAhead && probeBuffersFit(madeAhead, driveProbe.plan, outRate, channelCount)) {
    driveProbe.provide(madeAhead.wide.splice(0), outRate);
    narrowAhead = madeAhead.narrow.splice(0);
  }
  let loudnessLevel = 0;
  let lastSearch: { preLufs: number; level: number; search: DriveSearch } | null = null;
  /** A search's drive into the settings; the search is kept (with the pre-limiter loudness it went by) for the next. */
  const adoptSearch = (search: DriveSearch, preLufs: number) => {
    settings.loudness.limiterInputGainDb = round2(search.driveDb);
    lastSearch = { preLufs, level: loudnessLevel, search };
  };
  // Derived settings always search their drive; given ones unless they ask for their stored drive and gain.
  const autoLoudness = derivation !== null || settings.loudness.mode === 'target';
  const aimLufs = target + LOUDNESS_AIM_LU;
  // Within 0.1 LU of the aim, the render lands a little above the target (the probe tends to predict it ~0.1 LU loud),
  // which the final gain trims down without touching the ceiling: a tighter search cost a probe evaluation in about
  // half of the corpus masters. Given settings accept their stored drive more readily: re-rendering them reproduces
  // the render they came from, and the final gain trims the rest.
  const fineToleranceLu = derivation ? 0.1 : 0.2;
  const rounds: LoopRound[] = [];
  // The analyses' garbage goes before the track's working copy arrives, not after (peak memory).
  collectGarbage();
  /**
   * Starts a measurement of `work` on the chain worker, which reads the shared buffer in place while this thread
   * measures something else; the returned function gives its result. Without a worker, or for audio not in shared
   * memory, it measures here (`here`) when asked.
   */
  const meanwhileOnWorker = <T>(work: WorkingAudio, task: ChainTask, here: () => T | Promise<T>): (() => Promise<T>) => {
    if (worker === null || !inSharedMemory(work.channels)) return async () => here();
    const remote = worker.run<T>(task);
    remote.catch(() => undefined);
    return () => remote;
  };
  /** A full collection on this thread and on the chain worker at once (memory both of them held). */
  const collectGarbageOnBoth = async (): Promise<void> => {
    const workerCollected = worker?.run({ kind: 'collectGarbage' });
    workerCollected?.catch(() => undefined);
    collectGarbage();
    await workerCollected;
  };
  /** The target is out of reach at this loudness level, or needs more than ~8 dB of limiting, and a next level exists. */
  const canStepUp = (): boolean => derivation !== null && loudnessLevel < LOUDNESS_LEVELS.length - 1;
  /** Predicted this far below the target, the next level is tried; a search told so stops there once levelling. */
  const outOfReachBelowLufs = target - 0.3;
  const stepUpBelowLufs = (): number | undefined => (canStepUp() ? outOfReachBelowLufs : undefined);
  const needsMoreLoudness = (search: DriveSearch): boolean => (search.predictedLufs < outOfReachBelowLufs || search.probeLossDb > 8) && canStepUp();
  /** The next loudness level (closedLoop.ts LOUDNESS_LEVELS); true when the audio rendered so far is saturated already. */
  const stepUpLoudness = (): boolean => {
    const saturated = settings.saturation.enabled;
    loudnessLevel++;
    applyLoudnessLevel(settings, loudnessLevel);
    // The next search starts afresh from the loudness gap: the drive that fell short at the lower level is far above
    // the one the next level needs (saturation adds loudness), and starting there cost two evaluations.
    settings.loudness.limiterInputGainDb = 0;
    derivation!.reasons.push(
      `The target needs a very low peak-to-loudness ratio: soft saturation (${settings.saturation.driveDb} dB drive) rounds peaks off so the limiter has less to do.`,
    );
    return saturated;
  };
  /** The settings' pre-limiter stages on both cores (splitRender.ts; `probeCutAt`: a probe's independent halves). */
  const renderPreOn2 = async (work: WorkingAudio, stages: PreLimiterStages, fir: MidSideFir | null, probeCutAt?: number | null): Promise<PreLimiterStats> => {
    const snapshot = structuredClone(settings);
    const parts = await splitRender(work, worker, (part) => renderPreLimiter(part, snapshot, fir, stages), (part) => ({ kind: 'pre', work: part, settings: snapshot, fir, stages }), probeCutAt);
    return { eqApplied: parts[0].stats.eqApplied, compressor: mergeCompressorStats(parts) };
  };
  /** Loudness and long-term spectrum here while the worker reads the peaks and stereo image of the same shared buffer. */
  const measureOutput = async (work: WorkingAudio): Promise<{ loud: LoudnessResult; levels: OutputLevels; spectrum: LongTermSpectrum }> => {
    const levels = meanwhileOnWorker(work, { kind: 'outputLevels', pcm: asPcm(work) }, () => measureOutputLevels(asPcm(work)));
    // The second half's loudness follows the peaks on the worker; this half's is metered before the spectrum.
    const loud = measureLoudnessOn2(asPcm(work), worker);
    loud.catch(() => undefined);
    const spectrum = await longTermSpectrum(asPcm(work));
    return { loud: await loud, levels: await levels(), spectrum };
  };
  /**
   * The chain's FIR for the settings as they stand now (a snapshot travels to the worker), designed on the worker when
   * there is one: it is idle where a design is due (before a probe is cut, after a fold while the bands are refitted),
   * and this thread goes on meanwhile.
   */
  const designFir = (): Promise<MidSideFir | null> => {
    const fir = worker ? worker.run<MidSideFir | null>({ kind: 'designFir', settings, sampleRate: outRate }) : designChainFir(settings, outRate);
    fir.catch(() => undefined);
    return fir;
  };
  /** A design started ahead for the next full render (its settings' EQ is final by then). */
  let firAhead: Promise<MidSideFir | null> | null = null;
  /**
   * Runs between the drive search and the limiter, with the pre-limiter render and its loudness: true abandons this
   * render (the settings were changed and the track is rendered again).
   */
  type BeforeLimiter = (work: WorkingAudio, fullPreLufs: number) => Promise<boolean>;
  const renderAndVerify = async (beforeLimiter?: BeforeLimiter) => {
    progress('render');
    const fir = firAhead ?? designFir();
    firAhead = null;
    const renderStages = async (work: WorkingAudio, stages: PreLimiterStages) => renderPreOn2(work, stages, await fir);
    const renderPre = async (): Promise<{ work: WorkingAudio; stats: PreLimiterStats }> => {
      if (source) {
        workBuffer ??= allocateSplittable(outRate, channelCount, frames);
        workBuffer.channels.forEach((c, i) => c.set(source.channels[i]));
      } else if (workBuffer) {
        await streamed!.reload(workBuffer.channels);
      } else {
        // The first render works in the buffer the mix was read into.
        workBuffer = streamed!.loaded;
      }
      return { work: workBuffer, stats: await renderStages(workBuffer, { eqAndDynamics: true, saturation: true }) };
    };
    let { work, stats: preStats } = await renderPre();
    stage('render: eq+dynamics');
    const runLimiter = async () => {
      const limiter = limiterSettingsFrom(settings);
      return mergeLimiterStats(await splitRender(work, worker, (part) => processLimiter(part, limiter), (part) => ({ kind: 'limit', work: part, limiter })));
    };
    if (autoLoudness) {
      // The drive comes from a probe (segments spread over the track) cut from this very pre-limiter render: the
      // limiter runs on the probe at a few drives until the predicted full-track loudness hits the target. When
      // the target is out of reach with a transparent limiter, or needs more than ~8 dB of it, the loudness level
      // steps up (soft saturation before the limiter, a faster limiter) and the search runs again.
      for (;;) {
        const fullPre = (await measureLoudnessOn2(asPcm(work), worker)).integratedLufs;
        let start = settings.loudness.limiterInputGainDb !== 0 ? settings.loudness.limiterInputGainDb : undefined;
        // Rendering again (the tonal correction) at the same level: the drive found for the last render, moved by
        // what the pre-limiter loudness moved and by what that search left of the gap (a coarse one: up to
        // COARSE_SEARCH_LU), is a better first guess than the drive alone (one evaluation less).
        if (start !== undefined && lastSearch?.level === loudnessLevel && round2(lastSearch.search.driveDb) === start) {
          const left = aimLufs - lastSearch.search.predictedLufs;
          start = clampDriveDb(start + lastSearch.preLufs - fullPre + (Math.abs(left) < COARSE_SEARCH_LU ? left / 0.7 : 0));
        }
        // Given settings start from their stored drive.
        const search = await searchDrive(work, driveProbe, settings, fullPre, aimLufs, { startDriveDb: start, worker, toleranceLu: beforeLimiter ? COARSE_SEARCH_LU : fineToleranceLu, stepUpBelowLufs: stepUpBelowLufs() });
        adoptSearch(search, fullPre);
        // Given settings keep their own saturation and limiter timing: only a derivation may step them up.
        if (!derivation || !needsMoreLoudness(search)) break;
        // Saturation follows the compressor: the render so far can take it in place, unless it already has some.
        if (stepUpLoudness()) ({ work, stats: preStats } = await renderPre());
        else await renderStages(work, { eqAndDynamics: false, saturation: true });
      }
      stage('render: drive search');
    }
    // The last search was this render's: its pre-limiter loudness is this render's.
    if (beforeLimiter && lastSearch && (await beforeLimiter(work, lastSearch.preLufs))) {
      stage('render: predicted residual');
      return null;
    }
    if (autoLoudness && beforeLimiter && lastSearch && Math.abs(lastSearch.search.predictedLufs - aimLufs) >= fineToleranceLu) {
      // Kept after all: the coarse search goes on to the usual tolerance from where it stopped.
      adoptSearch(await searchDrive(work, driveProbe, settings, lastSearch.preLufs, aimLufs, { worker, toleranceLu: fineToleranceLu, resume: lastSearch.search }), lastSearch.preLufs);
      stage('render: drive search (refined)');
    }
    // The drive probe's memory goes before the limiter's own grows (on a loud track limited hard its lists of needs
    // reach tens of MB on each thread): singularity_inevitable peaked 410-418 MiB with both. A further full render cuts
    // a probe again, into memory made afresh.
    if (autoLoudness) {
      driveProbe.release();
      // Both threads have held the probe (the worker limited half of it): both collect.
      await collectGarbageOnBoth();
    }
    let limiterStats: LimiterStats = await runLimiter();
    stage('render: limiter');
    let { loud, levels, spectrum } = await measureOutput(work);
    finishStep('render');
    progress('verify');
    if (autoLoudness) {
      let trim = target - loud.integratedLufs;
      const headroom = settings.loudness.ceilingDbtp - levels.truePeakDbtp - 0.01;
      if (trim > headroom && trim > 0.4) {
        // Too quiet even with the headroom: drive harder once (full re-render; rare).
        settings.loudness.limiterInputGainDb = round2(clampDriveDb(settings.loudness.limiterInputGainDb + (trim - Math.max(0, headroom)) / 0.7 + LOUDNESS_AIM_LU));
        ({ work, stats: preStats } = await renderPre());
        limiterStats = await runLimiter();
        ({ loud, levels, spectrum } = await measureOutput(work));
        trim = target - loud.integratedLufs;
      }
      const gain = Math.min(trim, Math.max(0, settings.loudness.ceilingDbtp - levels.truePeakDbtp - 0.01));
      settings.loudness.outputGainDb = Math.max(-40, Math.min(6, Math.round(gain * 1000) / 1000));
    }
    // The output gain is applied as the render is narrowed for encoding (below); the figures move by it here.
    const gainDb = settings.loudness.outputGainDb;
    const afterLoud: LoudnessResult = {
      ...loud,
      integratedLufs: loud.integratedLufs + gainDb,
      momentaryMaxLufs: loud.momentaryMaxLufs + gainDb,
      shortTermMaxLufs: loud.shortTermMaxLufs + gainDb,
    };
    const afterTp = levels.truePeakDbtp + gainDb;
    const afterSamplePeak = levels.samplePeakDbfs + gainDb;
    // Measured before the final gain: every band moves by the same gain.
    const measuredTonal = tonalSpectrumFromLongTerm(spectrum, loud.integratedLufs);
    const afterTonal = { ...measuredTonal, levelsDb: measuredTonal.levelsDb.map((v) => v + gainDb), integratedLufs: afterLoud.integratedLufs };
    if (blend) rounds.push({ driveDb: settings.loudness.limiterInputGainDb, meanAbsResidualDb: tonalDistanceDb(blend, afterTonal) });
    return { work, preStats, limiterStats, afterLoud, afterTp, afterSamplePeak, afterStereo: levels, afterTonal };
  };
  const canFold = derivation !== null && blend !== null && settings.eq.enabled && settings.eq.amount > 0 && settings.eq.mode === 'curve';
  /** The reference minus a result, per band, both relative to their loudness (0 where either is empty). */
  const residualTo = (result: TonalSpectrum): number[] =>
    blend!.levelsDb.map((r, b) => {
      const v = r - (result.levelsDb[b] - result.integratedLufs);
      return Number.isFinite(v) ? v : 0;
    });
  /**
   * Before the first render's limiter runs: its output spectrum is predicted as the pre-limiter render's (measured
   * on the whole track, so the EQ, compressor and saturation are in it exactly) plus what the limiter did to the
   * drive probe's spectrum (probe after the limiter minus the same segments before it, each relative to its own
   * loudness). When that is off by more than FULL_TRACK_CORRECTION_ABOVE_DB, the residual is folded into the EQ right
   * away, and the limiter pass and measurement of a render that would be thrown away are saved.
   */
  let predictedFirst: { distance: number; settings: MasteringSettings } | null = null;
  const foldBeforeLimiting: BeforeLimiter = async (work, fullPreLufs) => {
    const preSpectrum = meanwhileOnWorker(work, { kind: 'spectrum', pcm: asPcm(work) }, () => longTermSpectrum(asPcm(work)));
    const probeBefore = await tonalOf(driveProbe.measuredOfFull(work));
    const probeAfter = await tonalOf(driveProbe.measuredOfLimited());
    const pre = tonalSpectrumFromLongTerm(await preSpectrum(), fullPreLufs);
    const levelsDb = pre.levelsDb.map((level, b) => {
      const delta = probeAfter.levelsDb[b] - probeAfter.integratedLufs - (probeBefore.levelsDb[b] - probeBefore.integratedLufs);
      return Number.isFinite(delta) ? level + delta : level;
    });
    const predicted: TonalSpectrum = { ...pre, levelsDb };
    const distance = tonalDistanceDb(blend!, predicted);
    // The probe copies go before the next render's buffers are touched (peak memory).
    collectGarbage();
    if (!(distance > FULL_TRACK_CORRECTION_ABOVE_DB)) return false;
    predictedFirst = { distance, settings: structuredClone(settings) };
    rounds.push({ driveDb: settings.loudness.limiterInputGainDb, meanAbsResidualDb: distance, predicted: true });
    foldResidual(settings, derivation!.limits, residualTo(predicted), 0.9);
    refitBands(settings);
    return true;
  };
  /**
   * Before the track is rendered at all: the probe alone, cut from the mix and rendered through the chain, finds the
   * loudness level and drive, and the tonal model (tonalModel.ts) predicts from it what the whole track would come
   * out as. A prediction off by more than FULL_TRACK_CORRECTION_ABOVE_DB is folded into the EQ now, so the first full
   * render is usually the last: on the corpus, one render where rendering, predicting and rendering again took two.
   * The render's measured residual still gets its fold when the model missed (a render more, as before the model).
   */
  const foldFromModel = async (model: TonalModel, mixWork: WorkingAudio): Promise<void> => {
    progress('render');
    // The probe's segments, rendered on their own (each with its pre-roll) in the probe's buffer and kept at float32
    // (half the memory of another float64 copy, plenty for a search and a spectrum), which the drive search then cuts
    // from as it cuts from a full render.
    const probe = driveProbe.asRendered();
    // In shared memory when there is a worker: half of its segments' bands are measured there (measureSegments).
    const { length } = driveProbe.plan;
    const given = narrowAhead;
    narrowAhead = null;
    const narrowBuffer = (ch: number) => given?.[ch] ?? (worker ? new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT) : new ArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));
    const rendered = asWorking({ sampleRate: outRate, channels: Array.from({ length: channelCount }, (_, ch) => new Float32Array(narrowBuffer(ch), 0, length)) });
    // The EQ stays as it is through the probe's loudness levels: one design, on the worker while the mix is cut here.
    const probeFir = designFir();
    /** `work`: the probe cut from the mix (all stages), or from the render so far (saturation only). */
    const renderProbe = async (work: WorkingAudio, stages: PreLimiterStages) => {
      await renderPreOn2(work, stages, stages.eqAndDynamics ? await probeFir : null, driveProbe.plan.splitAt);
      rendered.channels.forEach((c, i) => c.set(work.channels[i]));
    };
    const mixCut = driveProbe.cut(mixWork);
    const mixProbeLufs = probe.measuredLufs(mixCut);
    await renderProbe(mixCut, { eqAndDynamics: true, saturation: true });
    // Half of the probe's segments are measured on the chain worker when the probe is in shared memory.
    const measureSegments = async (audio: WorkingAudio, starts: number[], bands: BandSet, segmentFrames: number): Promise<SegmentBands> => {
      const half = Math.floor(starts.length / 2);
      const there = meanwhileOnWorker(audio, { kind: 'segmentBands', work: audio, starts: starts.slice(half), bands, segmentFrames }, () => segmentBandsAt(audio, starts.slice(half), bands, segmentFrames));
      const here = await segmentBandsAt(audio, starts.slice(0, half), bands, segmentFrames);
      return joinSegmentBands([here, await there()]);
    };
    // The search goes by the model's loudness of the whole track, from the probe before the limiter and through it: it
    // weighs the passages as the track does (the probe's own loss stands for the track's less well, and the track's
    // loudness before the limiter is not known yet).
    const predictTonal = (audio: WorkingAudio, probeLufs = probe.measuredLufs(audio)) => model.predict(settings, audio, { probeLufs, mixProbeLufs }, measureSegments);
    // The search's last evaluation is the drive it returns, and the probe holds its render: its prediction is the one
    // the correction is folded from.
    let lastLimited: TonalSpectrum | null = null;
    const predictLimited = async (limited: WorkingAudio, probeLufs: number) => {
      lastLimited = await predictTonal(limited, probeLufs);
      return lastLimited.integratedLufs;
    };
    // The rendered probe is metered once, for the prediction and for the search (it is what the search cuts).
    let renderedLufs = probe.measuredLufs(rendered);
    let preLufs = (await predictTonal(rendered, renderedLufs)).integratedLufs;
    let search: DriveSearch;
    for (;;) {
      search = await searchDrive(rendered, probe, settings, preLufs, aimLufs, { worker, toleranceLu: COARSE_SEARCH_LU, predictFull: predictLimited, stepUpBelowLufs: stepUpBelowLufs(), probePreLufs: renderedLufs });
      if (!needsMoreLoudness(search)) break;
      // As in a full render: saturation follows the compressor, in place unless the probe is saturated already.
      if (stepUpLoudness()) await renderProbe(driveProbe.cut(mixWork), { eqAndDynamics: true, saturation: true });
      else await renderProbe(probe.cut(rendered), { eqAndDynamics: false, saturation: true });
      renderedLufs = probe.measuredLufs(rendered);
      preLufs = (await predictTonal(rendered, renderedLufs)).integratedLufs;
    }
    // The full render's search starts here, moved by how far the model's pre-limiter loudness was off.
    adoptSearch(search, preLufs);
    const predicted = lastLimited ?? (await predictTonal(probe.limited));
    const distance = tonalDistanceDb(blend!, predicted);
    if (distance > FULL_TRACK_CORRECTION_ABOVE_DB) {
      rounds.push({ driveDb: settings.loudness.limiterInputGainDb, meanAbsResidualDb: distance, predicted: true });
      foldResidual(settings, derivation!.limits, residualTo(predicted), 0.9);
      // The render's FIR follows the folded curve; the bands refitted meanwhile are the curve's editable reading.
      firAhead = designFir();
      refitBands(settings);
    } else {
      firAhead = probeFir;
    }
    stage('render: probe through the tonal model');
  };
  const mixWork = source ? asWorking(source) : streamed?.loaded;
  const tonalModel = canFold && autoLoudness && mixWork && options.modelResidual !== false ? TonalModel.of(mixAnalysis, driveProbe.plan, outRate) : null;
  if (tonalModel && mixWork) {
    await foldFromModel(tonalModel, mixWork);
    // The probe's own render and what both threads' searches left go before the track's working copy is touched
    // (peak memory).
    await collectGarbageOnBoth();
  }
  // Without the model the float32 probe is never rendered: its memory goes.
  narrowAhead = null;
  // After the model's correction the render is predicted no further: its measured residual (below) catches a miss.
  let pass = await renderAndVerify(canFold && !tonalModel && options.predictResidual !== false ? foldBeforeLimiting : undefined);
  if (pass === null) {
    // Folded before the first render was finished: keep the correction unless it came out worse than predicted
    // for the render without it, which is then finished after all.
    const first = predictedFirst!;
    const second = (await renderAndVerify())!;
    if (tonalDistanceDb(blend!, second.afterTonal) <= first.distance) pass = second;
    else {
      Object.assign(settings, first.settings);
      pass = (await renderAndVerify())!;
    }
  } else if (canFold && derivation && blend) {
    const distance = tonalDistanceDb(blend, pass.afterTonal);
    if (distance > FULL_TRACK_CORRECTION_ABOVE_DB) {
      const previous = structuredClone(settings);
      foldResidual(settings, derivation.limits, residualTo(pass.afterTonal), 0.9);
      refitBands(settings);
      const second = (await renderAndVerify())!;
      // Keep what was better (and the settings that made it), unless the newer render is worse by less than
      // MARGINAL_DISTANCE_DB: restoring the other would take one more full render.
      if (tonalDistanceDb(blend, second.afterTonal) < distance + MARGINAL_DISTANCE_DB) pass = second;
      else {
        Object.assign(settings, previous);
        pass = (await renderAndVerify())!;
      }
    }
  }
  const { work, preStats, limiterStats, afterLoud, afterTp, afterSamplePeak, afterStereo, afterTonal } = pass;
  finishStep('verify');

  // 6. Encode.
  progress('encode');
  // No second copy of the track: it is narrowed to float32 in place (with the output gain; the second channel on the
  // chain worker), and the WAV data goes into the space that frees.
  const outputGain = dbToGain(settings.loudness.outputGainDb);
  const second = worker && work.channels.length === 2 && inSharedMemory(work.channels.slice(1)) ? worker.run({ kind: 'narrow', wide: work.channels[1], gain: outputGain }) : null;
  second?.catch(() => undefined);
  const { pcm: audio, spare } = narrowInPlace(work, outputGain, second ? 1 : undefined);
  await second;
  const allocateBlock = blocksFrom(spare);
  const loudnessTags = {
    integratedLufs: afterLoud.integratedLufs,
    loudnessRangeLu: afterLoud.loudnessRangeLu,
    maxTruePeakDbtp: afterTp,
    maxMomentaryLufs: afterLoud.momentaryMaxLufs,
    maxShortTermLufs: afterLoud.shortTermMaxLufs,
  };
  const encoded = options.encode === false ? null : await encodeMaster(audio, settings.output, loudnessTags, { allocateBlock, worker });
  finishStep('encode');

  // Report.
  const beforeDist = distances(refAnalyses, blend, mixAnalysis.tonal);
  const afterDist = distances(refAnalyses, blend, afterTonal);
  const before: MasterState = {
    loudness: {
      integratedLufs: nullIfNonFinite(mixAnalysis.integratedLufs),
      loudnessRangeLu: nullIfNonFinite(mixAnalysis.loudnessRangeLu),
      momentaryMaxLufs: null,
      shortTermMaxLufs: nullIfNonFinite(mixAnalysis.shortTermMaxLufs),
      truePeakDbtp: nullIfNonFinite(mixAnalysis.truePeakDbtp ?? NaN),
      samplePeakDbfs: nullIfNonFinite(mixAnalysis.samplePeakDbfs),
      plrDb: nullIfNonFinite((mixAnalysis.truePeakDbtp ?? NaN) - mixAnalysis.integratedLufs),
    },
    sideToMidDb: nullIfNonFinite(mixAnalysis.sideToMidDb),
    correlation: nullIfNonFinite(mixAnalysis.correlation),
    tonalDistanceDb: beforeDist.each,
    tonalDistanceToBlendDb: beforeDist.blend,
  };
  const after: MasterState = {
    loudness: loudnessFigures(afterLoud, afterTp, afterSamplePeak),
    sideToMidDb: nullIfNonFinite(afterStereo.sideToMidDb),
    correlation: nullIfNonFinite(afterStereo.correlation),
    tonalDistanceDb: afterDist.each,
    tonalDistanceToBlendDb: afterDist.blend,
  };
  const curves = effectiveMidSideCurves(settings);
  const extraWarnings: string[] = [];
  for (const r of refAnalyses) if (r.clippedRuns > 0) extraWarnings.push(`A reference is clipped (${r.clippedRuns} clipped runs).`);
  if (limiterStats.clampedSamples > 0) extraWarnings.push(`${limiterStats.clampedSamples} samples needed the limiter's safety clamp.`);
  const atLimit = derivation && blend ? eqLimitWarning(settings, derivation.limits, blend, afterTonal) : null;
  if (atLimit) extraWarnings.push(atLimit);
  const report = buildReport({
    settings,
    before,
    after,
    reference: {
      integratedLufs: nullIfNonFinite(derivation?.targets.referenceLufs ?? (refAnalyses[0]?.integratedLufs ?? NaN)),
      loudnessRangeLu: nullIfNonFinite(derivation?.targets.referenceLraLu ?? (refAnalyses[0]?.loudnessRangeLu ?? NaN)),
      sideToMidDb: nullIfNonFinite(derivation?.targets.sideToMidDb ?? (refAnalyses[0]?.sideToMidDb ?? NaN)),
      count: refAnalyses.length,
    },
    eqCurves: { applied: !curves.flat, frequenciesHz: curves.frequenciesHz, midDb: curves.midDb.map(round2), sideDb: curves.sideDb.map(round2) },
    compressor: preStats.compressor?.bands ?? [],
    limiter: limiterStats.gainReduction,
    closedLoop: rounds.map((r) => ({ driveDb: round2(r.driveDb), meanAbsResidualDb: round2(r.meanAbsResidualDb), ...(r.predicted ? { predicted: true } : {}) })),
    tonalBands: {
      centresHz: afterTonal.centresHz,
      referenceDbReLufs: blend ? blend.levelsDb.map((v) => nullIfNonFinite(round2(v))) : afterTonal.centresHz.map(() => null),
      beforeDbReLufs: mixAnalysis.tonal.levelsDb.map((v) => nullIfNonFinite(round2(v - mixAnalysis.integratedLufs))),
      afterDbReLufs: afterTonal.levelsDb.map((v) => nullIfNonFinite(round2(v - afterLoud.integratedLufs))),
    },
    reasons: derivation?.reasons ?? ['Rendered from the given settings as-is.'],
    extraWarnings,
  });
  return { settings, report, audio, encoded };
}
