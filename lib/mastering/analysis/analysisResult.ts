/**
 * The AnalysisResult from the measurements of one track: band spectra, stereo, dynamics, descriptors and the problems
 * an engineer wants flagged. Whoever ran the meters (a whole decoded track or a stream, trackAnalyzer.ts) hands them
 * over here, so both give the same result.
 */
import type { LevelScanResult } from '@/lib/audio/levelScan';
import type { LoudnessResult } from '@/lib/audio/loudness';
import type { TruePeakResult } from '@/lib/audio/truePeak';
import type { FormatInfo } from '@/lib/audio/types';
import { fractionalOctaveBands, integrateBands, powerToDb } from './bands';
import type { Click } from './clicks';
import type { Descriptors } from './descriptors';
import type { LongTermSpectrum } from './longTermSpectrum';
import { clickProblems, clippingProblems, dcOffsetProblems, formatTime, silenceProblems, sortProblems, stereoProblems } from './problems';
import { finiteOrNull, type AnalysisResult, type Problem } from './schema';
import type { SilenceEdges } from './silence';
import { measureStereoBands, STEREO_WINDOW_MIN_LEVEL_DBFS, stereoOverTimeFromSums } from './stereo';
import { tonalSpectrumFromLongTerm } from './tonalDistance';

export interface TrackMeasurements {
  sampleRate: number;
  channelCount: number;
  frames: number;
  format: FormatInfo;
  levels: LevelScanResult;
  loudness: LoudnessResult;
  truePeak: TruePeakResult;
  spectrum: LongTermSpectrum;
  spectrumWeighting: 'none' | 'loudness' | 'loudest';
  clicks: Click[];
  silence: SilenceEdges;
  onsetTimesSeconds: number[];
  descriptors: Descriptors;
}

export function assembleAnalysis(m: TrackMeasurements): AnalysisResult {
  const { sampleRate, channelCount, frames, levels, loudness, truePeak, spectrum, silence } = m;
  const durationSeconds = frames / sampleRate;
  const stereoTime = stereoOverTimeFromSums(levels.stereo, sampleRate, frames);
  const shortTerm = loudness.shortTermCurve;

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

  const { dcOffset, clipping } = levels;
  const samplePeakDbfs = levels.samplePeak.samplePeakDbfs;
  const meanSquare = stereoTime.meanSquare;
  const rmsDbfs = powerToDb(meanSquare);
  const plrDb = truePeak.truePeakDbtp - loudness.integratedLufs;

  const problems: Problem[] = [
    ...silenceProblems(silence, durationSeconds),
    ...clickProblems(m.clicks, channelCount),
    ...dcOffsetProblems(dcOffset.channelMeanDbfs, durationSeconds),
    ...clippingProblems(clipping.runs, clipping.runCount, sampleRate),
    ...(channelCount === 2 ? stereoProblems(stereoTime, durationSeconds, lowBandCorrelation) : []),
    ...interSampleOverProblems(truePeak.interSampleOvers, truePeak.interSampleOverCount),
  ];

  const audible = Array.from(shortTerm.lufs).filter((v) => Number.isFinite(v) && v > -70).sort((a, b) => a - b);
  const percentile = (p: number) => (audible.length ? audible[Math.min(audible.length - 1, Math.floor(p * audible.length))] : -Infinity);
  const activeSeconds = Math.max(1e-9, durationSeconds - silence.headSeconds - silence.tailSeconds);

  return {
    version: 1,
    sampleRate,
    channels: channelCount,
    durationSeconds,
    format: { ...m.format },
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
      weighting: m.spectrumWeighting,
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
      onsetsPerSecond: silence.allSilent ? 0 : m.onsetTimesSeconds.length / activeSeconds,
      dynamicComplexity: m.descriptors.dynamicComplexity,
      headSilenceSeconds: silence.headSeconds,
      tailSilenceSeconds: silence.tailSeconds,
    },
    descriptors: m.descriptors,
    problems: sortProblems(problems),
    shortTermCurve: { hopSeconds: shortTerm.hopSeconds, lufs: Array.from(shortTerm.lufs, (v) => (Number.isFinite(v) ? Math.round(v * 100) / 100 : null)) },
  };
}



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

function lowFrequencyCorrelation(spectrum: LongTermSpectrum, maxHz: number): number | null {
  const bands = { fraction: 1, centresHz: [Math.sqrt(20 * maxHz)], lowerHz: [20], upperHz: [maxHz] };
  const stereo = measureStereoBands(spectrum, bands);
  const mid = integrateBands(spectrum.midPower, spectrum.binHz, bands)[0];
  const side = integrateBands(spectrum.sidePower, spectrum.binHz, bands)[0];
  // Under -60 dBFS there is no bass to speak of; its correlation would be noise.
  return mid + side > 1e-6 ? stereo.correlation[0] : null;
}
