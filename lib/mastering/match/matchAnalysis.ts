/**
 * What reference matching needs to know about one track, and nothing more (the full `analyzeAudio` also computes
 * descriptors, onsets, clicks and peaks, which cost seconds and do not change a render): loudness with its
 * short-term curve, sample/true peak, clipping, the mid/side long-term spectrum (Welch, as the tonal-distance
 * metric defines it) and, from that spectrum, smoothed levels on the EQ curve's 1/12-octave grid.
 *
 * Fine levels are "dB re integrated loudness": band power (1/3-octave window around each grid frequency) minus the
 * track's LUFS, so mix and reference compare at equal loudness.
 */
import { findClipping } from '@/lib/audio/clipping';
import { measureLoudness } from '@/lib/audio/loudness';
import { measureSamplePeak } from '@/lib/audio/samplePeak';
import { measureTruePeak } from '@/lib/audio/truePeak';
import type { PcmAudio } from '@/lib/audio/types';
import { integrateBands, powerToDb, type BandSet } from '../analysis/bands';
import { longTermSpectrum } from '../analysis/longTermSpectrum';
import { measureStereoOverTime } from '../analysis/stereo';
import { tonalSpectrumFromLongTerm, type TonalSpectrum } from '../analysis/tonalDistance';
import { curveFrequenciesHz } from '../settings';

export interface MatchAnalysis {
  sampleRate: number;
  channels: number;
  durationSeconds: number;
  integratedLufs: number;
  loudnessRangeLu: number;
  shortTermMaxLufs: number;
  /** Short-term loudness every `shortTermHopSeconds` (value k covers the 3 s ending at (k+1)·hop). */
  shortTermLufs: number[];
  shortTermHopSeconds: number;
  samplePeakDbfs: number;
  /** null when not measured (references: only the sample peak and clipping matter). */
  truePeakDbtp: number | null;
  clippedRuns: number;
  sideToMidDb: number;
  correlation: number;
  tonal: TonalSpectrum;
  /** dB re integrated loudness on the curve grid (1/3-octave smoothing): mid, side and their sum. */
  fine: { frequenciesHz: number[]; midDb: number[]; sideDb: number[]; totalDb: number[] };
}

/** 1/3-octave-wide windows centred on the 1/12-octave grid: the smoothing the EQ curve is derived with. */
export function fineSmoothingBands(frequenciesHz: number[]): BandSet {
  const half = 2 ** (1 / 6);
  return { fraction: 12, centresHz: frequenciesHz, lowerHz: frequenciesHz.map((f) => f / half), upperHz: frequenciesHz.map((f) => f * half) };
}

export interface MatchAnalysisOptions {
  truePeak?: boolean;
}

export async function analyzeForMatch(pcm: PcmAudio, options: MatchAnalysisOptions = {}): Promise<MatchAnalysis> {
  const loudness = measureLoudness(pcm);
  const spectrum = await longTermSpectrum(pcm);
  const stereo = measureStereoOverTime(pcm, 60);
  const lufs = loudness.integratedLufs;
  const tonal = tonalSpectrumFromLongTerm(spectrum, lufs);
  const frequenciesHz = curveFrequenciesHz();
  const bands = fineSmoothingBands(frequenciesHz);
  const mid = integrateBands(spectrum.midPower, spectrum.binHz, bands);
  const side = integrateBands(spectrum.sidePower, spectrum.binHz, bands);
  const offset = Number.isFinite(lufs) ? lufs : 0;
  const norm = (p: number) => Math.max(-200, powerToDb(p) - offset);
  return {
    sampleRate: pcm.sampleRate,
    channels: pcm.channels.length,
    durationSeconds: pcm.channels[0].length / pcm.sampleRate,
    integratedLufs: lufs,
    loudnessRangeLu: loudness.loudnessRangeLu,
    shortTermMaxLufs: loudness.shortTermMaxLufs,
    shortTermLufs: Array.from(loudness.shortTermCurve.lufs),
    shortTermHopSeconds: loudness.shortTermCurve.hopSeconds,
    samplePeakDbfs: measureSamplePeak(pcm).samplePeakDbfs,
    truePeakDbtp: options.truePeak ? measureTruePeak(pcm, { maxOverPositions: 0 }).truePeakDbtp : null,
    clippedRuns: findClipping(pcm, { maxRuns: 1 }).runCount,
    sideToMidDb: stereo.sideToMidDb,
    correlation: stereo.correlation,
    tonal,
    fine: {
      frequenciesHz,
      midDb: Array.from(mid, norm),
      sideDb: Array.from(side, norm),
      totalDb: Array.from(mid, (m, i) => norm(m + side[i])),
    },
  };
}
