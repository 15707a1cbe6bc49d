/**
 * Full analysis of one track, fed as a stream: the decoder pushes planar pieces as it produces them and every
 * sample-rate meter (fused level scan, loudness, pruned true peak, mid/side Welch spectrum, clicks, silence edges) reads
 * them through one sliding window. Nothing full-length is kept but the quarter-rate mono copy and per-block screens,
 * so a 4-minute track costs ~1 MB of window instead of 85 MB of decoded samples (a 60-minute 96 kHz one peaks at a
 * quarter of its float size, the screens and mono copy growing with length).
 *
 * Why it matters here: on these machines the first touch of fresh memory costs ~3 ms per MB (an 85 MB buffer ~270 ms
 * before any work is done in it), which was a fifth of a whole analysis.
 *
 * A whole decoded track goes through the same code with the window being the track itself (`analyzeWhole`), so both
 * paths give the same result; trackAnalyzer.test.ts (and levelScan.test.ts for the scan alone) pin that pieces and
 * whole agree exactly.
 */
import { LEVEL_SCAN_BLOCK, LevelScanner } from '@/lib/audio/levelScan';
import { SlidingWindow } from '@/lib/audio/slidingWindow';
import { LoudnessMeter } from '@/lib/audio/loudness';
import { TruePeakMeter } from '@/lib/audio/truePeak';
import type { WaveformPeaks } from '@/lib/audio/peaks';
import { AudioFormatError, type DecodedAudio, type FormatInfo } from '@/lib/audio/types';
import { assembleAnalysis } from './analysisResult';
import { ClickDetector } from './clicks';
import { computeDescriptors, preloadDescriptorLibraries, type Descriptors } from './descriptors';
import { LongTermSpectrumAccumulator, longTermSpectrum, WELCH_SEGMENT_SIZE, type LongTermSpectrum } from './longTermSpectrum';
import { DESCRIPTOR_TARGET_RATE, type MonoSignal } from './monoDecimation';
import { detectOnsets } from './onsets';
import type { AnalysisResult } from './schema';
import { SilenceEdgeTracker } from './silence';

export const MAX_ANALYSIS_CHANNELS = 2;

export interface AnalyzeOptions {
  /**
   * How segments count in the long-term spectrum: 'none' = all equally; 'loudness' = by short-term loudness
   * (energy); 'loudest' = only segments within `loudestWithinLu` of the loudest short-term value. Weighting needs the
   * whole track's loudness first, so only a whole decoded track can be analysed with it.
   */
  spectrumWeighting?: 'none' | 'loudness' | 'loudest';
  loudestWithinLu?: number;
  /** Skip essentia/meyda descriptors (key, tempo, complexity, centroid...). */
  descriptors?: boolean;
  /** Zoom levels for the waveform overview. */
  peaksSamplesPerPixel?: readonly number[];
  /** Called after each stage with its CPU and wall time (streamed meters: summed over the pieces). */
  onStage?: (stage: string, cpuSeconds: number, wallSeconds: number) => void;
}

export interface StreamOptions {
  /** The header's length: sizes the per-block outputs (a wrong guess only costs a reallocation). */
  expectedFrames?: number;
  /**
   * Report each stage's wall time as its CPU. For a stream: a decoder thread may run while the stages do (process CPU
   * would count it too; Node 20 cannot read one thread's CPU), and reading process CPU around each of a stream's ~1000
   * stage runs (a system call, ~50 µs here) would cost 0.1 s. The stages are pure computation on this thread.
   */
  stageCpuFromWall?: boolean;
}

export interface AnalysisWithPeaks {
  analysis: AnalysisResult;
  peaks: WaveformPeaks;
}

/** Frames a streamed analysis window keeps behind the newest one: a whole Welch segment, plus slack for the click and
 * peak reach. */
export const ANALYSIS_WINDOW_LOOKBACK = WELCH_SEGMENT_SIZE + 4096;
/** Room for new frames in the window before it slides (a multiple of 16). */
export const ANALYSIS_WINDOW_ROOM = 1 << 16;

const KEEP_FRAMES = { every: 4, fineMaxHz: 3600, coarseGroup: 8 } as const;
/** Inter-sample overs listed by position (the count is always exact). */
const MAX_OVER_POSITIONS = 200;

export class TrackAnalyzer {
  private readonly levels: LevelScanner;
  private readonly meter: LoudnessMeter;
  private readonly truePeak: TruePeakMeter;
  private readonly clicks: ClickDetector;
  private readonly silence: SilenceEdgeTracker;
  private readonly monoFactor: number;
  private readonly timer: StageTimer;
  /** The sliding window, created at the first push (a whole track is its own window). */
  private window: SlidingWindow | null = null;
  private finished = false;

  private constructor(
    readonly sampleRate: number,
    readonly channelCount: number,
    private readonly options: AnalyzeOptions,
    private readonly spectrum: LongTermSpectrumAccumulator | null,
    expectedFrames: number | undefined,
    stageCpuFromWall: boolean,
  ) {
    this.monoFactor = Math.max(1, Math.floor(sampleRate / DESCRIPTOR_TARGET_RATE));
    this.levels = new LevelScanner(sampleRate, channelCount, { clipping: { maxRuns: 500 }, peaksSamplesPerPixel: options.peaksSamplesPerPixel, monoDecimation: this.monoFactor, expectedFrames });
    this.meter = new LoudnessMeter(sampleRate, channelCount);
    this.truePeak = new TruePeakMeter(sampleRate, channelCount, { maxOverPositions: MAX_OVER_POSITIONS });
    this.clicks = new ClickDetector(sampleRate, channelCount);
    this.silence = new SilenceEdgeTracker(sampleRate);
    this.timer = new StageTimer(options.onStage, stageCpuFromWall);
  }

  /** `expectedFrames` sizes the per-block outputs (a wrong guess only costs a reallocation). */
  static async create(sampleRate: number, channelCount: number, options: AnalyzeOptions & StreamOptions = {}): Promise<TrackAnalyzer> {
    if (channelCount < 1) throw new AudioFormatError('The file has no audio channels.');
    if (channelCount > MAX_ANALYSIS_CHANNELS) {
      throw new AudioFormatError(`The file has ${channelCount} channels; mastering supports mono and stereo only.`);
    }
    if (!(sampleRate > 0)) throw new AudioFormatError(`invalid sample rate ${sampleRate}`);
    const weighted = (options.spectrumWeighting ?? 'none') !== 'none';
    const wantDescriptors = options.descriptors ?? true;
    const spectrum = weighted ? null : await LongTermSpectrumAccumulator.create(sampleRate, { keepFrames: wantDescriptors ? KEEP_FRAMES : undefined });
    return new TrackAnalyzer(sampleRate, channelCount, options, spectrum, options.expectedFrames, options.stageCpuFromWall ?? false);
  }

  /** Loads what the analysis will need (the descriptor libraries), for a caller with time on its hands. */
  static preload(options: AnalyzeOptions = {}): void {
    if (options.descriptors ?? true) preloadDescriptorLibraries();
  }

  /** Takes the next `frames` frames of each channel (copied: the caller may reuse its buffers at once). */
  push(channels: readonly Float32Array[], frames = channels[0]?.length ?? 0): void {
    if (this.finished) throw new Error('TrackAnalyzer: push after finish');
    if (this.spectrum === null) throw new Error('a weighted spectrum needs the whole track: use analyzeWhole');
    this.window ??= new SlidingWindow(this.channelCount, ANALYSIS_WINDOW_LOOKBACK, ANALYSIS_WINDOW_ROOM);
    this.window.push(channels, frames, (window, base, end) => this.advance(window, base, end));
  }

  /** Runs every streamed meter as far as the frames in [base, end) allow. */
  private advance(window: readonly Float32Array[], base: number, end: number): void {
    const t = this.timer;
    const scanTo = end - (end % LEVEL_SCAN_BLOCK);
    t.run('level scan', () => this.levels.scan(window, base, scanTo));
    t.run('loudness', () => this.meter.addFrames(window, this.meter.frames - base, end - base));
    t.run('true peak', () => this.truePeak.advance(window, base, scanTo, (c) => this.levels.blockAbsMax(c), (c) => this.levels.channelSamplePeak(c)));
    t.run('spectrum', () => this.spectrum?.add(window, base, end));
    t.run('clicks', () => this.clicks.scan(window, base, scanTo, (c) => this.levels.secondDifferenceMax(c)));
    t.run('silence', () => this.silence.add(window, base, end));
  }

  /** Completes the analysis of everything pushed. */
  async finish(format: FormatInfo): Promise<AnalysisWithPeaks> {
    const window = this.window ?? new SlidingWindow(this.channelCount, 0, 0);
    return this.complete(window.views(), window.base, window.end, format);
  }

  /** Analyses a whole decoded track: the window is the track itself, nothing is copied. */
  static async analyzeWhole(decoded: DecodedAudio, options: AnalyzeOptions = {}): Promise<AnalysisWithPeaks> {
    const n = decoded.channels[0]?.length ?? 0;
    if (decoded.channels.some((c) => c.length !== n)) throw new RangeError('channels differ in length');
    const analyzer = await TrackAnalyzer.create(decoded.sampleRate, decoded.channels.length, { ...options, expectedFrames: n });
    return analyzer.complete(decoded.channels, 0, n, decoded.format, decoded);
  }

  private async complete(window: readonly Float32Array[], base: number, n: number, format: FormatInfo, whole?: DecodedAudio): Promise<AnalysisWithPeaks> {
    if (this.finished) throw new Error('TrackAnalyzer: finish called twice');
    this.finished = true;
    const t = this.timer;
    const { sampleRate, channelCount, options } = this;
    try {
      const levels = t.run('level scan', () => this.levels.finish(window, base, n, whole));
      const loudness = t.run('loudness', () => {
        this.meter.addFrames(window, this.meter.frames - base, n - base);
        return this.meter.result();
      });
      const truePeak = t.run('true peak', () => this.truePeak.finish(window, base, n, (c) => levels.blockAbsMax[c], (c) => this.levels.channelSamplePeak(c)));

      const weighting = options.spectrumWeighting ?? 'none';
      const wantDescriptors = options.descriptors ?? true;
      const spectrum: LongTermSpectrum = await t.run('spectrum', () => {
        if (this.spectrum) return this.spectrum.finish(window, base, n);
        if (!whole) throw new Error('a weighted spectrum needs the whole track');
        const shortTerm = loudness.shortTermCurve;
        return longTermSpectrum(whole, { segmentWeight: segmentWeightFrom(shortTerm.lufs, shortTerm.hopSeconds, weighting as 'loudness' | 'loudest', options.loudestWithinLu ?? 6), keepFrames: wantDescriptors ? KEEP_FRAMES : undefined });
      });
      const clicks = t.run('clicks', () => this.clicks.finish(window, base, n, levels.secondDifferenceMax));
      const silence = t.run('silence', () => this.silence.finish(window, base, n));
      t.report();

      const mono: MonoSignal = { sampleRate: sampleRate / this.monoFactor, samples: levels.mono };
      const onsets = await t.once('onsets', () => detectOnsets(mono));
      const descriptors: Descriptors = wantDescriptors
        ? t.once('descriptors', () => computeDescriptors({
            mono,
            novelty: onsets.novelty,
            noveltyRateHz: onsets.noveltyRateHz,
            frames: spectrum.keptFrames,
            binHz: spectrum.binHz,
            fftSize: spectrum.segmentSize,
            sampleRate,
          }))
        : { key: null, scale: null, keyStrength: null, tempoBpm: null, dynamicComplexity: null, spectralCentroidHz: null, spectralFlatness: null, spectralRolloffHz: null };

      const analysis = assembleAnalysis({
        sampleRate,
        channelCount,
        frames: n,
        format,
        levels,
        loudness,
        truePeak,
        spectrum,
        spectrumWeighting: weighting,
        clicks,
        silence,
        onsetTimesSeconds: onsets.onsetTimesSeconds,
        descriptors,
      });
      return { analysis, peaks: levels.peaks };
    } finally {
      this.spectrum?.dispose();
      this.window = null;
    }
  }
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

/** CPU and wall per stage, summed over a stream's pieces, reported in the order stages first ran. */
class StageTimer {
  private readonly totals = new Map<string, { cpuSeconds: number; wallSeconds: number }>();

  constructor(
    private readonly onStage: AnalyzeOptions['onStage'],
    private readonly wallAsCpu: boolean,
  ) {}

  run<T>(name: string, body: () => T): T {
    if (!this.onStage) return body();
    // process.cpuUsage is a system call (~50 µs here): a stream's ~1000 stage runs would pay 0.1 s for it.
    const cpu = this.wallAsCpu ? undefined : process.cpuUsage();
    const wall = performance.now();
    const add = () => {
      const total = this.totals.get(name) ?? { cpuSeconds: 0, wallSeconds: 0 };
      const wallSeconds = (performance.now() - wall) / 1000;
      if (cpu) {
        const used = process.cpuUsage(cpu);
        total.cpuSeconds += (used.user + used.system) / 1e6;
      } else total.cpuSeconds += wallSeconds;
      total.wallSeconds += wallSeconds;
      this.totals.set(name, total);
    };
    const result = body();
    // Nothing else runs on this thread meanwhile, so CPU across the await belongs to the stage.
    if (result instanceof Promise) return result.finally(add) as T;
    add();
    return result;
  }

  /** A stage that runs once: timed and reported at once. */
  once<T>(name: string, body: () => T): T {
    const result = this.run(name, body);
    const flush = () => {
      const total = this.totals.get(name);
      if (total && this.onStage) this.onStage(name, total.cpuSeconds, total.wallSeconds);
      this.totals.delete(name);
    };
    if (result instanceof Promise) return result.finally(flush) as T;
    flush();
    return result;
  }

  /** Reports the summed stages so far. */
  report(): void {
    if (!this.onStage) return;
    for (const [name, total] of this.totals) this.onStage(name, total.cpuSeconds, total.wallSeconds);
    this.totals.clear();
  }
}
