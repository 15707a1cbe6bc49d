/**
 * Full analysis of an audio file, measured as it is read: WAV pieces straight from disk, Ogg Vorbis from the decoder
 * thread through a shared ring (decoding and measuring on two cores at once), both into one streamed TrackAnalyzer, so
 * no whole-track buffer is ever allocated. Other formats (FLAC, MP3, Opus, AIFF, MP4) are decoded whole by
 * readAudioFile and analysed in place. The CLI's `analyze` and the "analyze" job run this.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { decodeStreamInWorker, type DecodeStreamConsumer } from '../audio/decode/decodeInWorker';
import { sniffContainer } from '../audio/decode/probe';
import { AudioFormatError } from '../audio/types';
import { TrackAnalyzer, type AnalysisWithPeaks, type AnalyzeOptions } from './analysis/trackAnalyzer';
import { readAudioFile, readFileHead, streamWavFile, type ReadAudioFileOptions } from './audioFile';

export interface AnalyzeFileOptions extends AnalyzeOptions, ReadAudioFileOptions {
  /** Share of the file measured so far (0-1), every ~5 % while it streams. */
  onProgress?: (fraction: number) => void;
}

export async function analyzeFile(path: string, options: AnalyzeFileOptions = {}): Promise<AnalysisWithPeaks> {
  const name = basename(path);
  const info = await stat(path).catch((e: NodeJS.ErrnoException) => {
    throw e.code === 'ENOENT' ? new AudioFormatError(`${name}: file not found`) : e;
  });
  if (!info.isFile()) throw new AudioFormatError(`${name}: not a regular file`);
  const limits = { maxDurationSeconds: options.maxDurationSeconds, ...options.limits };
  let analyzer: TrackAnalyzer | undefined;
  let expected = NaN;
  let reported = 0;
  const consumer: DecodeStreamConsumer = {
    start: async (sampleRate, channelCount, expectedFrames) => {
      expected = expectedFrames;
      // The decoder's thread runs meanwhile, so the stage timer cannot read this thread's CPU from the process's.
      analyzer = await TrackAnalyzer.create(sampleRate, channelCount, { ...options, expectedFrames: Number.isFinite(expectedFrames) ? expectedFrames : undefined, concurrentDecode: true });
    },
    samples: (channels, frames) => {
      analyzer!.push(channels, frames);
      const fraction = analyzer!.frames / expected;
      if (options.onProgress && fraction >= reported + 0.05 && fraction <= 1) {
        reported = fraction;
        options.onProgress(fraction);
      }
    },
  };
  try {
    const wav = await streamWavFile(path, info.size, limits, consumer);
    if (wav) return await analyzer!.finish(wav);
    analyzer = undefined;
    if ((await readFileHead(path, 1 << 20).then(sniffContainer)) === 'ogg') {
      const { readFile } = await import('node:fs/promises');
      const bytes = await readFile(path);
      const decoding = decodeStreamInWorker(bytes, consumer, { ...options, limits, transferInput: true });
      // The decoder thread takes ~150 ms to start and deliver its first samples: load the descriptor libraries meanwhile.
      TrackAnalyzer.preload(options);
      const result = await decoding;
      if (result.streamed) return await analyzer!.finish(result.format);
      // Decoded whole after all (a stream the direct reader leaves to the general decoder): start over on that.
      return await TrackAnalyzer.analyzeWhole(result.decoded, options);
    }
  } catch (e) {
    const err = e as Error;
    if (err instanceof AudioFormatError) throw new AudioFormatError(`${name}: ${err.message}`);
    throw new Error(`${name}: ${err.message}`, { cause: err });
  }
  // readAudioFile names the file in its own errors.
  return TrackAnalyzer.analyzeWhole(await readAudioFile(path, options), options);
}
