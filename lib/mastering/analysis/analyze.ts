/**
 * Full analysis of a decoded track: loudness, peaks, spectrum, stereo, dynamics, descriptors and problems.
 * Ordering is chosen so each sample-rate pass over the PCM happens once: one fused level scan (lib/audio/levelScan.ts:
 * peaks, DC, clipping, stereo sums, the mono copy, the true-peak and click screens), the loudness meter, the pruned
 * true-peak search, one packed mid/side STFT; everything else works on those results or on the quarter-rate mono copy.
 */
import { scanLevels } from '@/lib/audio/levelScan';
import { measureLoudness } from '@/lib/audio/loudness';
import type { WaveformPeaks } from '@/lib/audio/peaks';
import { measureTruePeak } from '@/lib/audio/truePeak';
import { AudioFormatError, type DecodedAudio } from '@/lib/audio/types';
import { fractionalOctaveBands, integrateBands, powerToDb } from './bands';
import { detectClicks } from './clicks';
import { computeDescriptors } from './descriptors';
import { longTermSpectrum } from './longTermSpectrum';
import { DESCRIPTOR_TARGET_RATE, type MonoSignal } from './monoDecimation';
import { detectOnsets } from './onsets';
import { clickProblems, clippingProblems, dcOffsetProblems, formatTime, silenceProblems, sortProblems, stereoProblems } from './problems';
import { analysisResultSchema, finiteOrNull, type AnalysisResult, type Problem } from './schema';
import { measureSilenceEdges } from './silence';
import { measureStereoBands, STEREO_WINDOW_MIN_LEVEL_DBFS, stereoOverTimeFromSums } from './stereo';
import { tonalSpectrumFromLongTerm } from './tonalDistance';

export const MAX_ANALYSIS_CHANNELS = 2;

export interface AnalyzeOptions {
  /**
   * How segments count in the long-term spectrum: 'none' = all equally; 'loudness' = by short-term loudness
   * (energy); 'loudest' = only segments within `loudestWithinLu` of the loudest short-term value.
   */
  spectrumWeighting?: 'none' | 'loudness' | 'loudest';
  loudestWithinLu?: number;
  /** Skip essentia/meyda descriptors (key, tempo, complexity, centroid...). */
  descriptors?: boolean;
  /** Zoom levels for the waveform overview. */
  peaksSamplesPerPixel?: readonly number[];
  /** Called after each stage with its CPU and wall time, for the bench's per-stage breakdown. */
  onStage?: (stage: string, cpuSeconds: number, wallSeconds: number) => void;
}

export interface AnalysisWithPeaks {
  analysis: AnalysisResult;
  peaks: WaveformPeaks;
}

export async function analyzeAudio(decoded: DecodedAudio, options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  return (await analyzeAudioWithPeaks(decoded, options)).analysis;
}

export async function analyzeAudioWithPeaks(decoded: DecodedAudio, options: AnalyzeOptions = {}): Promise<AnalysisWithPeaks> {
  const channelCount = decoded.channels.length;
  if (channelCount < 1) throw new AudioFormatError('The file has no audio channels.');
  if (channelCount > MAX_ANALYSIS_CHANNELS) {
    throw new AudioFormatError(`The file has ${channelCount} channels; mastering supports mono and stereo only.`);
  }
  const stage = stageTimer(options.onStage);
  const { sampleRate } = decoded;
  const frames = decoded.channels[0].length;
  const durationSeconds = frames / sampleRate;

  // Sample peak, DC, clipping, waveform peaks, stereo sums, the mono copy and the first stages of the true-peak and
  // click searches all come from one pass over the samples.
  const monoFactor = Math.max(1, Math.floor(sampleRate / DESCRIPTOR_TARGET_RATE));
  const levels = stage('level scan', () => scanLevels(decoded, { clipping: { maxRuns: 500 }, peaksSamplesPerPixel: options.peaksSamplesPerPixel, monoDecimation: monoFactor }));
  const loudness = stage('loudness', () => measureLoudness(decoded));
  const truePeak = stage('true peak', () => measureTruePeak(decoded, { maxOverPositions: 200, blockAbsMax: levels.blockAbsMax }));
  const stereoTime = stereoOverTimeFromSums(levels.stereo, sampleRate, frames);

  const weighting = options.spectrumWeighting ?? 'none';
  const shortTerm = loudness.shortTermCurve;
  const segmentWeight = weighting === 'none' ? undefined : segmentWeightFrom(shortTerm.lufs, shortTerm.hopSeconds, weighting, options.loudestWithinLu ?? 6);
  const wantDescriptors = options.descriptors ?? true;
  const spectrum = await stage('spectrum', () => longTermSpectrum(decoded, { segmentWeight, keepFrames: wantDescriptors ? { every: 4, fineMaxHz: 3600, coarseGroup: 8 } : undefined }));

  const third = fractionalOctaveBands(3);
  const sixth = fractionalOctaveBands(6);
  const bandSpectrum = (bands: typeof third) => {
    const stereo = measureStereoBands(spectrum, bands);
    return {
      fraction: bands.fraction,
      centresHz: bands.centresHz,
      midDb: Array.from(integrateBands(spectrum.midPower, spectrum.binHz, bands), (p) => finiteOrNull(powerToDb(p))),
      sideDb: Array.from(integrateBands(spectrum.sidePower, spectrum.binHz, bands), (p) => finiteOrNull(powerToDb(p))),
      correlation: stereo.correlation,
      sideToMidDb: stereo.sideToMidDb.map(finiteOrNull),
    };
  };
  const thirdOctave = bandSpectrum(third);
  const sixthOctave = bandSpectrum(sixth);
  const lowBandCorrelation = channelCount === 2 ? lowFrequencyCorrelation(spectrum, 150) : null;
  const tonal = tonalSpectrumFromLongTerm(spectrum, loudness.integratedLufs);

  const mono: MonoSignal = { sampleRate: sampleRate / monoFactor, samples: levels.mono };
  const onsets = await stage('onsets', () => detectOnsets(mono));
  const descriptors = wantDescriptors
    ? stage('descriptors', () => computeDescriptors({
        mono,
        novelty: onsets.novelty,
        noveltyRateHz: onsets.noveltyRateHz,
        frames: spectrum.keptFrames,
        binHz: spectrum.binHz,
        fftSize: spectrum.segmentSize,
        sampleRate,
      }))
    : { key: null, scale: null, keyStrength: null, tempoBpm: null, dynamicComplexity: null, spectralCentroidHz: null, spectralFlatness: null, spectralRolloffHz: null };

  const clicks = stage('clicks', () => detectClicks(decoded, undefined, levels.secondDifferenceMax));
  const silence = stage('silence', () => measureSilenceEdges(decoded));
  const { peaks, dcOffset, clipping } = levels;
  const samplePeakDbfs = levels.samplePeak.samplePeakDbfs;
  const meanSquare = stereoTime.meanSquare;
  const rmsDbfs = powerToDb(meanSquare);
  const plrDb = truePeak.truePeakDbtp - loudness.integratedLufs;

  const problems: Problem[] = [
    ...silenceProblems(silence, durationSeconds),
    ...clickProblems(clicks, channelCount),
    ...dcOffsetProblems(dcOffset.channelMeanDbfs, durationSeconds),
    ...clippingProblems(clipping.runs, clipping.runCount, sampleRate),
    ...(channelCount === 2 ? stereoProblems(stereoTime, durationSeconds, lowBandCorrelation) : []),
    ...interSampleOverProblems(truePeak.interSampleOvers, truePeak.interSampleOverCount),
  ];

  const audible = Array.from(shortTerm.lufs).filter((v) => Number.isFinite(v) && v > -70).sort((a, b) => a - b);
  const percentile = (p: number) => (audible.length ? audible[Math.min(audible.length - 1, Math.floor(p * audible.length))] : -Infinity);
  const activeSeconds = Math.max(1e-9, durationSeconds - silence.headSeconds - silence.tailSeconds);

  const analysis: AnalysisResult = {
    version: 1,
    sampleRate,
    channels: channelCount,
    durationSeconds,
    format: { ...decoded.format },
    loudness: {
      integratedLufs: finiteOrNull(loudness.integratedLufs),
      loudnessRangeLu: finiteOrNull(loudness.loudnessRangeLu),
      momentaryMaxLufs: finiteOrNull(loudness.momentaryMaxLufs),
      shortTermMaxLufs: finiteOrNull(loudness.shortTermMaxLufs),
      truePeakDbtp: finiteOrNull(truePeak.truePeakDbtp),
      samplePeakDbfs: finiteOrNull(samplePeakDbfs),
      plrDb: finiteOrNull(plrDb),
    },
    spectrum: {
      weighting,
      segmentSize: spectrum.segmentSize,
      thirdOctave,
      sixthOctave,
      tonal: { centresHz: tonal.centresHz, levelsDb: tonal.levelsDb.map(finiteOrNull), integratedLufs: finiteOrNull(tonal.integratedLufs) },
    },
    stereo: {
      correlation: stereoTime.correlation,
      sideToMidDb: finiteOrNull(stereoTime.sideToMidDb),
      monoFoldDownDb: finiteOrNull(stereoTime.monoFoldDownDb),
      minWindowCorrelation: minWindowCorrelation(stereoTime),
      monoCompatible: !problems.some((p) => p.kind === 'phase-inverted' || p.kind === 'mono-compatibility'),
    },
    dynamics: {
      crestFactorDb: finiteOrNull(samplePeakDbfs - rmsDbfs),
      rmsDbfs: finiteOrNull(rmsDbfs),
      plrDb: finiteOrNull(plrDb),
      shortTermPercentilesLufs: {
        p10: finiteOrNull(percentile(0.1)),
        p50: finiteOrNull(percentile(0.5)),
        p90: finiteOrNull(percentile(0.9)),
        p95: finiteOrNull(percentile(0.95)),
      },
      onsetsPerSecond: silence.allSilent ? 0 : onsets.onsetTimesSeconds.length / activeSeconds,
      dynamicComplexity: descriptors.dynamicComplexity,
      headSilenceSeconds: silence.headSeconds,
      tailSilenceSeconds: silence.tailSeconds,
    },
    descriptors,
    problems: sortProblems(problems),
    shortTermCurve: { hopSeconds: shortTerm.hopSeconds, lufs: Array.from(shortTerm.lufs, (v) => (Number.isFinite(v) ? Math.round(v * 100) / 100 : null)) },
  };
  return { analysis, peaks };
}

export { analysisResultSchema, formatTime };

function interSampleOverProblems(overs: { channel: number; timeSeconds: number; levelDbtp: number }[], count: number): Problem[] {
  if (count === 0) return [];
  // Many overs cluster in loud passages: report one problem per second of music that has any.
  const problems: Problem[] = [];
  for (const over of [...overs].sort((a, b) => a.timeSeconds - b.timeSeconds)) {
    const last = problems[problems.length - 1];
    if (last && over.timeSeconds - last.timeSeconds < 1) continue;
    problems.push({
      kind: 'inter-sample-over',
      severity: 'warning',
      timeSeconds: over.timeSeconds,
      channel: over.channel,
      message: `Inter-sample peak above 0 dBFS at ${formatTime(over.timeSeconds)} (${over.levelDbtp.toFixed(2)} dBTP)${count > overs.length ? `; ${count} over intervals in total` : ''}.`,
    });
    if (problems.length >= 50) break;
  }
  return problems;
}

function minWindowCorrelation(stereo: { windows: { correlation: number; levelDbfs: number }[]; correlation: number }): number {
  let min = Infinity;
  for (const window of stereo.windows) if (window.levelDbfs > STEREO_WINDOW_MIN_LEVEL_DBFS && window.correlation < min) min = window.correlation;
  return Number.isFinite(min) ? min : stereo.correlation;
}

function lowFrequencyCorrelation(spectrum: Awaited<ReturnType<typeof longTermSpectrum>>, maxHz: number): number | null {
  const bands = { fraction: 1, centresHz: [Math.sqrt(20 * maxHz)], lowerHz: [20], upperHz: [maxHz] };
  const stereo = measureStereoBands(spectrum, bands);
  const mid = integrateBands(spectrum.midPower, spectrum.binHz, bands)[0];
  const side = integrateBands(spectrum.sidePower, spectrum.binHz, bands)[0];
  // Under -60 dBFS there is no bass to speak of; its correlation would be noise.
  return mid + side > 1e-6 ? stereo.correlation[0] : null;
}

/** Segment weight from the short-term loudness at the segment's centre. */
function segmentWeightFrom(lufs: Float32Array, hopSeconds: number, mode: 'loudness' | 'loudest', withinLu: number): (t: number) => number {
  let max = -Infinity;
  for (const v of lufs) if (v > max) max = v;
  return (timeSeconds) => {
    // Value k covers the 3 s window ending at (k+1)·hop: the window centred on t ends at t + 1.5 s.
    const index = Math.min(lufs.length - 1, Math.max(0, Math.round((timeSeconds + 1.5) / hopSeconds) - 1));
    const value = lufs[index];
    if (!Number.isFinite(value) || value < -70) return 0;
    if (mode === 'loudest') return value >= max - withinLu ? 1 : 0;
    return 10 ** (value / 10);
  };
}

type StageRunner = <T>(name: string, body: () => T) => T;

function stageTimer(onStage: AnalyzeOptions['onStage']): StageRunner {
  return (name, body) => {
    if (!onStage) return body();
    const cpu = process.cpuUsage();
    const wall = performance.now();
    const report = () => {
      const used = process.cpuUsage(cpu);
      onStage(name, (used.user + used.system) / 1e6, (performance.now() - wall) / 1000);
    };
    const result = body();
    // Nothing else runs on this thread meanwhile, so CPU across the await belongs to the stage.
    if (result instanceof Promise) return result.finally(report) as typeof result;
    report();
    return result;
  };
}
