/**
 * File I/O around the decoder: lib/audio stays free of paths and fs, so reading and naming the file happens here.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { decodeInWorker, type DecodeInWorkerOptions } from '../audio/decode/decodeInWorker';
import { AudioFormatError, type DecodedAudio } from '../audio/types';

export type ReadAudioFileOptions = Omit<DecodeInWorkerOptions, 'transferInput'>;

/** Reads and decodes an audio file in a worker thread. Errors name the file: "song.wav: truncated WAV: …". */
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
    // The buffer is ours alone, so it can move into the worker instead of being copied.
    return await decodeInWorker(bytes, { ...opts, transferInput: true });
  } catch (e) {
    throw prefixed(name, e as Error);
  }
}

function prefixed(name: string, err: Error): Error {
  const message = `${name}: ${err.message}`;
  if (err instanceof AudioFormatError) return new AudioFormatError(message);
  return new Error(message, { cause: err });
}
