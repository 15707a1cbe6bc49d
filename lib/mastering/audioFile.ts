/**
 * File I/O around the decoder: lib/audio stays free of paths, fs and child processes, so reading and naming the
 * file, and running ffmpeg for MP4, happen here.
 */
import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { decodeAudio } from '../audio/decode/decode';
import { decodeInWorker, type DecodeInWorkerOptions, type DecodeStreamConsumer } from '../audio/decode/decodeInWorker';
import { maxDecodedFrames, tooLongError, type DecodeLimits } from '../audio/decode/limits';
import { pcmIntoPlanar } from '../audio/decode/pcmSamples';
import { sniffContainer } from '../audio/decode/probe';
import { parseWavLayout, wavFormatInfo, wavPcmLayout, type WavLayout } from '../audio/decode/wav';
import { AudioFormatError, type DecodedAudio, type FormatInfo } from '../audio/types';
import { ffmpegExternalDecoders, type FfmpegDecodeOptions } from './ffmpegDecoder';

export type ReadAudioFileOptions = Omit<DecodeInWorkerOptions, 'transferInput'> & Pick<FfmpegDecodeOptions, 'ffmpegPath' | 'maxDurationSeconds'>;

/** Head of the file read first: the container's magic, and for WAV every chunk header before the samples. */
export const HEAD_BYTES = 1 << 20;
/** WAV samples are read this much at a time into one reused buffer (small enough to stay in cache for the meters). */
const WAV_READ_BYTES = 1 << 20;

/**
 * Reads and decodes an audio file: WAV straight from the file into the planar output a few megabytes at a time,
 * FLAC/MP3/Ogg/AIFF (and WAV whose header this reader cannot place) in a worker thread, MP4 (AAC/ALAC) in an ffmpeg
 * subprocess (already isolated, so no worker is needed around it). Errors name the file: "song.wav: truncated WAV: …".
 */
export async function readAudioFile(path: string, opts: ReadAudioFileOptions = {}): Promise<DecodedAudio> {
  const name = basename(path);
  let bytes: Uint8Array;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new AudioFormatError('not a regular file');
    const head = await readFileHead(path, HEAD_BYTES);
    const wav = sniffContainer(head) === 'wav' ? await readWavInChunks(path, head, info.size, { maxDurationSeconds: opts.maxDurationSeconds, ...opts.limits }) : null;
    if (wav) return wav;
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

/** A whole WAV file, its pieces converted straight into the output (see readWavPieces). */
async function readWavInChunks(path: string, head: Uint8Array, size: number, limits: DecodeLimits): Promise<DecodedAudio | null> {
  let channels: Float32Array[] = [];
  const format = await readWavPieces(path, head, size, limits, (layout) => {
    channels = Array.from({ length: layout.channelCount }, () => new Float32Array(layout.frames));
    // Straight into the output: no piece buffers.
    return (bytes, frames, done) => pcmIntoPlanar(bytes, 0, frames, wavPcmLayout(layout), channels, done);
  });
  return format && { sampleRate: format.sampleRate, channels, format };
}

/**
 * A WAV file's samples as planar pieces of at most `WAV_READ_BYTES` worth, in order, through `consumer`: what the
 * streamed analysis reads. Null for a file readWavPieces leaves to the general path.
 */
export async function streamWavFile(path: string, head: Uint8Array, size: number, limits: DecodeLimits, consumer: DecodeStreamConsumer): Promise<FormatInfo | null> {
  let started: Promise<void> | void = undefined;
  let pieces: Float32Array[] = [];
  return readWavPieces(path, head, size, limits, (layout) => {
    const framesPerRead = Math.max(1, Math.floor(WAV_READ_BYTES / layout.blockAlign));
    pieces = Array.from({ length: layout.channelCount }, () => new Float32Array(framesPerRead));
    started = consumer.start(layout.sampleRate, layout.channelCount, layout.frames);
    // Awaited with the first piece, after a read: a refusal must not count as unhandled meanwhile.
    if (started instanceof Promise) started.catch(() => undefined);
    const pcm = wavPcmLayout(layout);
    return async (bytes, frames) => {
      await started;
      pcmIntoPlanar(bytes, 0, frames, pcm, pieces, 0);
      consumer.samples(frames === pieces[0].length ? pieces : pieces.map((p) => p.subarray(0, frames)), frames);
    };
  });
}

/**
 * WAV is the common upload and the largest: reading the whole file first would hold its bytes and its float samples at
 * once (a 60-minute 96 kHz 24-bit file: 2 GB + 2.8 GB), and paying for fresh memory twice is most of a WAV decode's
 * cost. Here the file is read through one reused buffer and each piece handed to `onLayout`'s callback (`done` =
 * frames before it). No worker thread: this is our own bounds-checked parser, with memory sized from the header after
 * the duration limit, and no WASM to abort or hang. `head` is the file's first HEAD_BYTES (the caller has read it to
 * tell the container). Returns null for a header it cannot place (beyond the first megabyte, or unparsable), leaving
 * that file to the general path, which also words the errors for broken headers.
 */
async function readWavPieces(
  path: string,
  head: Uint8Array,
  size: number,
  limits: DecodeLimits,
  onLayout: (layout: WavLayout) => (bytes: Uint8Array, frames: number, done: number) => void | Promise<void>,
): Promise<FormatInfo | null> {
  let layout: WavLayout;
  try {
    layout = parseWavLayout(head, size);
  } catch {
    return null;
  }
  if (layout.frames > maxDecodedFrames(limits, layout.sampleRate, layout.channelCount)) {
    throw tooLongError('WAV file', layout.frames, layout.sampleRate, layout.channelCount, limits, true);
  }
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    const piece = onLayout(layout);
    const framesPerRead = Math.max(1, Math.floor(WAV_READ_BYTES / layout.blockAlign));
    const buffer = new Uint8Array(framesPerRead * layout.blockAlign);
    for (let done = 0; done < layout.frames; ) {
      const frames = Math.min(framesPerRead, layout.frames - done);
      const want = frames * layout.blockAlign;
      let got = 0;
      while (got < want) {
        const { bytesRead: n } = await handle.read(buffer, got, want - got, layout.dataOffset + done * layout.blockAlign + got);
        if (n === 0) throw new AudioFormatError(`truncated WAV: the file ended after ${done + Math.floor(got / layout.blockAlign)} of ${layout.frames} frames (was it changed while being read?)`);
        got += n;
      }
      await piece(buffer, frames, done);
      done += frames;
    }
    return wavFormatInfo(layout);
  } finally {
    await handle?.close();
  }
}

/** The first `bytes` of a file (less if it is shorter): enough to tell its container. */
export async function readFileHead(path: string, bytes: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(bytes);
    const { bytesRead } = await handle.read(head, 0, bytes, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function prefixed(name: string, err: Error): Error {
  const message = `${name}: ${err.message}`;
  if (err instanceof AudioFormatError) return new AudioFormatError(message);
  return new Error(message, { cause: err });
}
