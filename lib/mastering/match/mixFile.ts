/**
 * The mix of a master, read and measured at once: its match analysis is taken from the pieces as they arrive, while
 * the decoder thread is still busy, instead of in a pass over the whole track afterwards.
 *
 * readMixMeasured keeps the samples as float32 (the in-memory mix masterTrack also accepts). readMixForRender writes
 * them straight into the render's float64 working buffer instead, and reads them again for any later full render (a
 * WAV or AIFF from the file, a compressed mix from its decoded copy on disk): the float32 copy that would otherwise sit
 * beside the working buffer through the whole render is ~90 MB for four minutes of stereo, a quarter of the run's peak
 * memory. Formats that are not streamed come back whole (readMixMeasured:
 * without an analysis, which masterTrack then makes itself).
 */
import { PlanarAccumulator } from '@/lib/audio/decode/planarAccumulator';
import { AudioFormatError, type DecodedAudio, type FormatInfo } from '@/lib/audio/types';
import type { WorkingAudio } from '@/lib/audio/workingAudio';
import type { ReadAudioFileOptions } from '../audioFile';
import { allocateSplittable } from '../chain/splitRender';
import { streamAudioFile } from '../streamAudioFile';
import { analyzeForMatch, MatchAnalyzer, type MatchAnalysis } from './matchAnalysis';
import { SampleSpill } from './sampleSpill';

export interface MeasuredMix {
  mix: DecodedAudio;
  /** The mix's match analysis with its true peak, as analyzeForMatch(mix, { truePeak: true }) gives it. */
  analysis?: MatchAnalysis;
}

export function readMixMeasured(path: string, options: ReadAudioFileOptions = {}): Promise<MeasuredMix> {
  return streamAudioFile<MeasuredMix>(
    path,
    {
      open: async (sampleRate, channelCount, expectedFrames) => {
        const analyzer = await MatchAnalyzer.create(sampleRate, channelCount, { truePeak: true, expectedFrames: Number.isFinite(expectedFrames) ? expectedFrames : undefined });
        // The header's length sizes the mix's buffer; a short or missing one only costs growing it.
        const samples = new PlanarAccumulator(Number.isFinite(expectedFrames) ? expectedFrames : sampleRate * 60);
        return {
          push: (piece, count) => {
            samples.append(piece.map((c) => c.subarray(0, count)));
            analyzer.push(piece, count);
          },
          finish: async (format) => ({ mix: { sampleRate, channels: samples.take(), format }, analysis: analyzer.finish() }),
        };
      },
      whole: async (decoded) => ({ mix: decoded }),
    },
    options,
  );
}

/** A mix whose samples live in the render's working buffer, and can be read again from their file. */
export interface StreamedMix {
  sampleRate: number;
  channelCount: number;
  frames: number;
  format: FormatInfo;
  /** The mix at float64 in a splittable buffer (allocateSplittable's room): the first render works in it as it is. */
  loaded: WorkingAudio;
  /** Reads the mix again into `into` (channels of `frames` each), for each full render after the first. */
  reload(into: readonly Float64Array[]): Promise<void>;
  /** Removes what reading the mix left on disk (its decoded copy, see sampleSpill.ts). */
  dispose(): Promise<void>;
}

export interface ReadMixForRenderOptions extends ReadAudioFileOptions {
  /** Where a compressed mix's decoded copy goes for later renders (default: the system's temporary folder). */
  spillDir?: string;
  /** When the stream's format is known, before its samples are read (frames: the header's count, NaN when unknown). */
  onOpen?: (sampleRate: number, channelCount: number, expectedFrames: number) => void;
}

/** The mix's channels at float64, each in shared memory with the room a split render needs (allocateSplittable). */
function renderBuffer(sampleRate: number, capacityHint: number): PlanarAccumulator<Float64Array> {
  return new PlanarAccumulator<Float64Array>(capacityHint, Infinity, undefined, (frames) => allocateSplittable(sampleRate, 1, frames).channels[0]);
}

/**
 * The mix measured as it is read, its samples at float64 in the render's working buffer (see the file's comment). A
 * WAV or AIFF mix is read from its file again for later renders; a compressed one from the decoded copy written as it
 * was first decoded (sampleSpill.ts), instead of being decoded again. The caller disposes of the mix when done.
 */
export async function readMixForRender(path: string, options: ReadMixForRenderOptions = {}): Promise<{ mix: StreamedMix; analysis: MatchAnalysis }> {
  // Declared wider than its first value: the closures below set it.
  let spill = null as SampleSpill | null;
  /** A copy for later renders, unless the samples come straight from a WAV or AIFF file (read again instead). */
  const startSpill = async (channelCount: number, fromPcmFile: boolean) => {
    // A stream that started over (see streamAudioFile) begins its copy again.
    await spill?.dispose();
    spill = fromPcmFile ? null : SampleSpill.create(channelCount, options.spillDir);
  };
  let loaded: { work: WorkingAudio; analysis: MatchAnalysis; format: FormatInfo };
  try {
    loaded = await streamAudioFile<{ work: WorkingAudio; analysis: MatchAnalysis; format: FormatInfo }>(
      path,
      {
        open: async (sampleRate, channelCount, expectedFrames, source) => {
          const known = Number.isFinite(expectedFrames) && expectedFrames > 0;
          options.onOpen?.(sampleRate, channelCount, known ? expectedFrames : NaN);
          const analyzer = await MatchAnalyzer.create(sampleRate, channelCount, { truePeak: true, segmentBands: true, expectedFrames: known ? expectedFrames : undefined });
          // Sized by the header's length (exact for WAV, FLAC and Ogg); one that under-counts only costs growing it.
          const samples = renderBuffer(sampleRate, known ? expectedFrames : sampleRate * 60);
          await startSpill(channelCount, source.fromPcmFile);
          return {
            push: (piece, count) => {
              samples.append(piece.map((c) => c.subarray(0, count)));
              spill?.append(piece, count);
              analyzer.push(piece, count);
            },
            finish: async (format) => {
              spill?.finish();
              return { work: { sampleRate, channels: samples.views() }, analysis: analyzer.finish(), format };
            },
          };
        },
        whole: async (decoded) => {
          const samples = renderBuffer(decoded.sampleRate, decoded.channels[0]?.length ?? 0);
          samples.append(decoded.channels);
          await startSpill(decoded.channels.length, false);
          spill?.append(decoded.channels, decoded.channels[0]?.length ?? 0);
          spill?.finish();
          return { work: { sampleRate: decoded.sampleRate, channels: samples.views() }, analysis: await analyzeForMatch(decoded, { truePeak: true, segmentBands: true }), format: decoded.format };
        },
      },
      options,
    );
  } catch (error) {
    await spill?.dispose();
    throw error;
  }
  const { work, analysis, format } = loaded;
  const frames = work.channels[0]?.length ?? 0;
  const channelCount = work.channels.length;
  const reload = async (into: readonly Float64Array[]): Promise<void> => {
    if (spill && (await spill.readInto(into, frames))) return;
    // streamAudioFile puts the file's name in front.
    const changed = () => new AudioFormatError('the mix changed while it was being mastered');
    let at = 0;
    const check = (sampleRate: number, channels: number) => {
      if (sampleRate !== work.sampleRate || channels !== channelCount || into.length !== channelCount) throw changed();
    };
    await streamAudioFile<void>(
      path,
      {
        open: async (sampleRate, channels) => {
          check(sampleRate, channels);
          at = 0;
          return {
            push: (piece, count) => {
              if (at + count > frames) throw changed();
              into.forEach((c, ch) => c.set(piece[ch].subarray(0, count), at));
              at += count;
            },
            finish: async () => {
              if (at !== frames) throw changed();
            },
          };
        },
        whole: async (decoded) => {
          check(decoded.sampleRate, decoded.channels.length);
          if (decoded.channels[0].length !== frames) throw changed();
          into.forEach((c, ch) => c.set(decoded.channels[ch]));
        },
      },
      options,
    );
  };
  const dispose = async () => {
    await spill?.dispose();
  };
  return { mix: { sampleRate: work.sampleRate, channelCount, frames, format, loaded: work, reload, dispose }, analysis };
}
