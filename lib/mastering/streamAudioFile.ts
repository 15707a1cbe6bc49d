/**
 * A file's samples to a streaming consumer as they are read: WAV and AIFF pieces straight from disk; Ogg Vorbis from an
 * ffmpeg subprocess (ffmpegVorbis.ts); FLAC, MP3, Opus (and Vorbis that ffmpeg leaves alone) from the decoder thread
 * through a shared ring. Decoding and consuming run on two cores at once, and no whole-track buffer is allocated. MP4
 * is decoded whole by readAudioFile and handed over in one piece. What the analyses of files (analyzeFile.ts,
 * match/matchFile.ts, match/mixFile.ts) are built on.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { decodeStreamInWorker, type DecodeStreamConsumer } from '../audio/decode/decodeInWorker';
import { sniffContainer } from '../audio/decode/probe';
import { AudioFormatError, type DecodedAudio, type FormatInfo } from '../audio/types';
import { streamVorbisWithFfmpeg } from './ffmpegVorbis';
import { decodeLimitsOf, HEAD_BYTES, placePcmFile, readAudioFile, readFileHead, streamPcmFile, vorbisDecoderOf, type ReadAudioFileOptions } from './audioFile';

/** One consumer of one stream: samples in order, then the result. */
export interface StreamSink<T> {
  push(channels: Float32Array[], frames: number): void;
  finish(format: FormatInfo): Promise<T>;
}

/** Where a stream's samples come from. */
export interface StreamSource {
  /** Straight from a WAV or AIFF file, which can be read again as cheaply; otherwise from a decoder. */
  fromPcmFile: boolean;
}

export interface StreamAudioFileHandlers<T> {
  /** A sink for a stream of this shape (`expectedFrames`: the header's length, NaN when unknown). */
  open(sampleRate: number, channelCount: number, expectedFrames: number, source: StreamSource): Promise<StreamSink<T>>;
  /** The whole decoded file, when it could not be streamed (or had to start over). */
  whole(decoded: DecodedAudio): Promise<T>;
  /** Called while the decoder (thread or ffmpeg) starts, with time on this thread to spare. */
  meanwhile?(): void;
  /** Share of the file consumed so far (0-1), every ~5 %. */
  onProgress?(fraction: number): void;
}

export async function streamAudioFile<T>(path: string, handlers: StreamAudioFileHandlers<T>, options: ReadAudioFileOptions = {}): Promise<T> {
  const name = basename(path);
  const info = await stat(path).catch((e: NodeJS.ErrnoException) => {
    throw e.code === 'ENOENT' ? new AudioFormatError(`${name}: file not found`) : e;
  });
  if (!info.isFile()) throw new AudioFormatError(`${name}: not a regular file`);
  const limits = decodeLimitsOf(options);
  let sink: StreamSink<T> | undefined;
  let expected = NaN;
  let consumed = 0;
  let reported = 0;
  const source: StreamSource = { fromPcmFile: false };
  const consumer: DecodeStreamConsumer = {
    start: async (sampleRate, channelCount, expectedFrames) => {
      expected = expectedFrames;
      consumed = 0;
      sink = await handlers.open(sampleRate, channelCount, expectedFrames, { ...source });
    },
    samples: (channels, frames) => {
      sink!.push(channels, frames);
      consumed += frames;
      const fraction = consumed / expected;
      if (handlers.onProgress && fraction >= reported + 0.05 && fraction <= 1) {
        reported = fraction;
        handlers.onProgress(fraction);
      }
    },
  };
  try {
    const head = await readFileHead(path, HEAD_BYTES);
    const container = sniffContainer(head);
    const placed = placePcmFile(head, info.size, container);
    if (placed) {
      source.fromPcmFile = true;
      const format = await streamPcmFile(path, placed, limits, consumer);
      return await sink!.finish(format);
    }
    if (container === 'ogg' || container === 'flac' || container === 'mp3') {
      const bytes = await readFile(path);
      if (container === 'ogg' && vorbisDecoderOf(options) === 'ffmpeg') {
        const { ffmpegPath, timeoutMs, ffmpegNiceIncrement: niceIncrement } = options;
        const format = await streamVorbisWithFfmpeg(bytes, consumer, { ffmpegPath, timeoutMs, limits, meanwhile: handlers.meanwhile, niceIncrement });
        if (format) return await sink!.finish(format);
        // Not for ffmpeg after all (see ffmpegVorbis.ts): libvorbis decides, from the start (the consumer restarts).
      }
      const decoding = decodeStreamInWorker(bytes, consumer, { ...options, limits, transferInput: true });
      handlers.meanwhile?.();
      const result = await decoding;
      if (result.streamed) return await sink!.finish(result.format);
      // Decoded whole after all (a stream the direct reader leaves to the general decoder): start over on that.
      return await handlers.whole(result.decoded);
    }
  } catch (e) {
    const err = e as Error;
    if (err instanceof AudioFormatError) throw new AudioFormatError(`${name}: ${err.message}`);
    throw new Error(`${name}: ${err.message}`, { cause: err });
  }
  // readAudioFile names the file in its own errors.
  return handlers.whole(await readAudioFile(path, options));
}
