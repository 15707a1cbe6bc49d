/**
 * What reference matching needs to know about one track, and nothing more (the full `analyzeAudio` also computes
 * descriptors, onsets, clicks and peaks, which cost seconds and do not change a render): loudness with its
 * short-term curve, sample/true peak, clipping, the mid/side long-term spectrum (Welch, as the tonal-distance
 * metric defines it) and, from that spectrum, smoothed levels on the EQ curve's 1/12-octave grid.
 *
 * Fine levels are "dB re integrated loudness": band power (1/3-octave window around each grid frequency) minus the
 * track's LUFS, so mix and reference compare at equal loudness.
 */
import { LEVEL_SCAN_BLOCK, LevelScanner } from '@/lib/audio/levelScan';
import { LoudnessMeter } from '@/lib/audio/loudness';
import { SlidingWindow } from '@/lib/audio/slidingWindow';
import { TruePeakMeter } from '@/lib/audio/truePeak';
import type { PcmAudio } from '@/lib/audio/types';
import { integrateBands, powerToDb, type BandSet } from '../analysis/bands';
import { LongTermSpectrumAccumulator, WELCH_SEGMENT_SIZE } from '../analysis/longTermSpectrum';
import type { SegmentBands } from '../analysis/segmentBands';
import { stereoOverTimeFromSums } from '../analysis/stereo';
import { ANALYSIS_WINDOW_LOOKBACK, ANALYSIS_WINDOW_ROOM } from '../analysis/trackAnalyzer';
import { TONAL_BANDS_AND_OUTSIDE, tonalSpectrumFromLongTerm, type TonalSpectrum } from '../analysis/tonalDistance';
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
  /** Mid and side power of each Welch segment in the tonal bands and outside them, when asked for (a mix: tonalModel.ts). */
  segmentBands?: SegmentBands;
}

/** 1/3-octave-wide windows centred on the 1/12-octave grid: the smoothing the EQ curve is derived with. */
export function fineSmoothingBands(frequenciesHz: number[]): BandSet {
  const half = 2 ** (1 / 6);
  return { fraction: 12, centresHz: frequenciesHz, lowerHz: frequenciesHz.map((f) => f / half), upperHz: frequenciesHz.map((f) => f * half) };
}

export interface MatchAnalysisOptions {
  truePeak?: boolean;
  /** Keep each segment's tonal band powers (MatchAnalysis.segmentBands). */
  segmentBands?: boolean;
}

export async function analyzeForMatch(pcm: PcmAudio, options: MatchAnalysisOptions = {}): Promise<MatchAnalysis> {
  return MatchAnalyzer.analyzeWhole(pcm, options);
}

const STEREO_WINDOW_SECONDS = 60;

/**
 * The analysis fed in pieces (a reference or a mix streamed from its file: matchFile.ts, mixFile.ts) through one sliding
 * window, or given a whole track (analyzeForMatch), which is then its own window. Sample peak, clipping and the stereo
 * sums come from the fused level scan.
 */
export class MatchAnalyzer {
  private readonly meter: LoudnessMeter;
  private readonly levels: LevelScanner;
  private readonly truePeak: TruePeakMeter | null;
  /** Created at the first push. */
  private window: SlidingWindow | null = null;

  private constructor(
    readonly sampleRate: number,
    readonly channelCount: number,
    private readonly spectrum: LongTermSpectrumAccumulator,
    expectedFrames: number | undefined,
    truePeak: boolean,
  ) {
    this.meter = new LoudnessMeter(sampleRate, channelCount);
    this.levels = new LevelScanner(sampleRate, channelCount, { clipping: { maxRuns: 1 }, monoDecimation: 0, stereoWindowFrames: Math.max(1, Math.round(STEREO_WINDOW_SECONDS * sampleRate)), expectedFrames });
    this.truePeak = truePeak ? new TruePeakMeter(sampleRate, channelCount, { maxOverPositions: 0 }) : null;
  }

  static async create(sampleRate: number, channelCount: number, options: MatchAnalysisOptions & { expectedFrames?: number } = {}): Promise<MatchAnalyzer> {
    const expectedSegments = options.expectedFrames ? Math.ceil(options.expectedFrames / (WELCH_SEGMENT_SIZE / 2)) : undefined;
    const spectrum = await LongTermSpectrumAccumulator.create(sampleRate, options.segmentBands ? { segmentBands: TONAL_BANDS_AND_OUTSIDE, expectedSegments } : {});
    return new MatchAnalyzer(sampleRate, channelCount, spectrum, options.expectedFrames, options.truePeak ?? false);
  }

  /** A whole track: the window is the track itself, nothing is copied. */
  static async analyzeWhole(pcm: PcmAudio, options: MatchAnalysisOptions = {}): Promise<MatchAnalysis> {
    const n = pcm.channels[0].length;
    const analyzer = await MatchAnalyzer.create(pcm.sampleRate, pcm.channels.length, { ...options, expectedFrames: n });
    return analyzer.complete(pcm.channels, 0, n);
  }

  push(channels: readonly Float32Array[], frames = channels[0]?.length ?? 0): void {
    this.window ??= new SlidingWindow(this.channelCount, ANALYSIS_WINDOW_LOOKBACK, ANALYSIS_WINDOW_ROOM);
    this.window.push(channels, frames, (window, base, end) => {
      const scanTo = end - (end % LEVEL_SCAN_BLOCK);
      this.levels.scan(window, base, scanTo);
      this.meter.addFrames(window, this.meter.frames - base, end - base);
      this.spectrum.add(window, base, end);
      this.truePeak?.advance(window, base, scanTo, (c) => this.levels.blockAbsMax(c), (c) => this.levels.channelSamplePeak(c));
    });
  }

  finish(): MatchAnalysis {
    const window = this.window ?? new SlidingWindow(this.channelCount, 0, 0);
    return this.complete(window.views(), window.base, window.end);
  }

  private complete(window: readonly Float32Array[], base: number, n: number): MatchAnalysis {
    try {
      const levels = this.levels.finish(window, base, n);
      this.meter.addFrames(window, this.meter.frames - base, n - base);
      const loudness = this.meter.result();
      const spectrum = this.spectrum.finish(window, base, n);
      const truePeakDbtp = this.truePeak?.finish(window, base, n, (c) => levels.blockAbsMax[c], (c) => this.levels.channelSamplePeak(c)).truePeakDbtp ?? null;
      const stereo = stereoOverTimeFromSums(levels.stereo, this.sampleRate, n);
      const lufs = loudness.integratedLufs;
      const tonal = tonalSpectrumFromLongTerm(spectrum, lufs);
      const frequenciesHz = curveFrequenciesHz();
      const bands = fineSmoothingBands(frequenciesHz);
      const mid = integrateBands(spectrum.midPower, spectrum.binHz, bands);
      const side = integrateBands(spectrum.sidePower, spectrum.binHz, bands);
      const offset = Number.isFinite(lufs) ? lufs : 0;
      const norm = (p: number) => Math.max(-200, powerToDb(p) - offset);
      return {
        sampleRate: this.sampleRate,
        channels: this.channelCount,
        durationSeconds: n / this.sampleRate,
        integratedLufs: lufs,
        loudnessRangeLu: loudness.loudnessRangeLu,
        shortTermMaxLufs: loudness.shortTermMaxLufs,
        shortTermLufs: Array.from(loudness.shortTermCurve.lufs),
        shortTermHopSeconds: loudness.shortTermCurve.hopSeconds,
        samplePeakDbfs: levels.samplePeak.samplePeakDbfs,
        truePeakDbtp,
        clippedRuns: levels.clipping.runCount,
        sideToMidDb: stereo.sideToMidDb,
        correlation: stereo.correlation,
        tonal,
        fine: {
          frequenciesHz,
          midDb: Array.from(mid, norm),
          sideDb: Array.from(side, norm),
          totalDb: Array.from(mid, (m, i) => norm(m + side[i])),
        },
        ...(spectrum.segmentBands ? { segmentBands: spectrum.segmentBands } : {}),
      };
    } finally {
      this.spectrum.dispose();
      this.window = null;
    }
  }
}
