/**
 * File I/O around the decoder: lib/audio stays free of paths, fs and child processes, so reading and naming the
 * file, and running ffmpeg for MP4, happen here.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { decodeAudio } from '../audio/decode/decode';
import { decodeInWorker, type DecodeInWorkerOptions } from '../audio/decode/decodeInWorker';
import { sniffContainer } from '../audio/decode/probe';
import { AudioFormatError, type DecodedAudio } from '../audio/types';
import { ffmpegExternalDecoders, type FfmpegDecodeOptions } from './ffmpegDecoder';

export type ReadAudioFileOptions = Omit<DecodeInWorkerOptions, 'transferInput'> & Pick<FfmpegDecodeOptions, 'ffmpegPath' | 'maxDurationSeconds'>;

/**
 * Reads and decodes an audio file: WAV/AIFF/FLAC/MP3/Ogg in a worker thread, MP4 (AAC/ALAC) in an ffmpeg
 * subprocess (already isolated, so no worker is needed around it). Errors name the file: "song.wav: truncated WAV: …".
 */
export async function readAudioFile(path: string, opts: ReadAudioFileOptions = {}): Promise<DecodedAudio> {
  const name = basename(path);
  let bytes: Uint8Array;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new AudioFormatError('not a regular file');
    bytes = await readFile(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new AudioFormatError(`${name}: file not found`);
    if (err.code === 'ERR_FS_FILE_TOO_LARGE') throw new AudioFormatError(`${name}: file is too large to load`);
    throw prefixed(name, err);
  }
  try {
    if (sniffContainer(bytes.subarray(0, 1024 * 1024)) === 'mp4') {
      const { ffmpegPath, timeoutMs } = opts;
      const maxDurationSeconds = opts.maxDurationSeconds ?? opts.limits?.maxDurationSeconds;
      return await decodeAudio(bytes, { externalDecoders: ffmpegExternalDecoders({ ffmpegPath, maxDurationSeconds, timeoutMs }) });
    }
    // The buffer is ours alone, so it can move into the worker instead of being copied.
    const { maxHeapMb, timeoutMs, limits } = opts;
    return await decodeInWorker(bytes, { maxHeapMb, timeoutMs, limits: { maxDurationSeconds: opts.maxDurationSeconds, ...limits }, transferInput: true });
  } catch (e) {
    throw prefixed(name, e as Error);
  }
}

function prefixed(name: string, err: Error): Error {
  const message = `${name}: ${err.message}`;
  if (err instanceof AudioFormatError) return new AudioFormatError(message);
  return new Error(message, { cause: err });
}
