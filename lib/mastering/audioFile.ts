/**
 * File I/O around the decoder: lib/audio stays free of paths, fs and child processes, so reading and naming the
 * file, and running ffmpeg for MP4, happen here.
 */
import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { decodeAudio } from '../audio/decode/decode';
import { decodeInWorker, type DecodeInWorkerOptions, type DecodeStreamConsumer } from '../audio/decode/decodeInWorker';
import { maxDecodedFrames, tooLongError, type DecodeLimits } from '../audio/decode/limits';
import { aiffFormatInfo, aiffPcmLayout, parseAiffLayout } from '../audio/decode/aiff';
import { pcmIntoPlanar, type PcmLayout } from '../audio/decode/pcmSamples';
import { sniffContainer, type AudioContainer } from '../audio/decode/probe';
import { parseWavLayout, wavFormatInfo, wavPcmLayout } from '../audio/decode/wav';
import { AudioFormatError, type DecodedAudio, type FormatInfo } from '../audio/types';
import { ffmpegExternalDecoders, type FfmpegDecodeOptions } from './ffmpegDecoder';
import { decodeVorbisWithFfmpeg } from './ffmpegVorbis';

export type ReadAudioFileOptions = Omit<DecodeInWorkerOptions, 'transferInput'> &
  Pick<FfmpegDecodeOptions, 'ffmpegPath' | 'maxDurationSeconds'> & {
    /**
     * Who decodes a streamed Ogg Vorbis file: ffmpeg (default; ffmpegVorbis.ts, falling back to libvorbis whenever it
     * disagrees) or libvorbis in the decoder thread. Default: env MASTERING_VORBIS_DECODER, else ffmpeg. Either way,
     * the streamed and the whole decode of a file use the same one, so their analyses agree exactly.
     */
    vorbisDecoder?: 'ffmpeg' | 'libvorbis';
    /** A streamed Ogg Vorbis file's ffmpeg: its CPU priority below this thread's (ffmpegPcm.ts; default the lowest). */
    ffmpegNiceIncrement?: number;
  };

/** Head of the file read first: the container's magic, and for WAV and AIFF every chunk header before the samples. */
export const HEAD_BYTES = 1 << 20;
/** WAV and AIFF samples are read this much at a time into one reused buffer (small enough to stay in cache for the meters). */
const PCM_READ_BYTES = 1 << 20;

/**
 * Reads and decodes an audio file: WAV and AIFF straight from the file into the planar output a few megabytes at a
 * time, MP4 (AAC/ALAC) and Ogg Vorbis in an ffmpeg subprocess (already isolated, so no worker is needed around it),
 * FLAC/MP3/Opus (and a WAV or AIFF whose header this reader cannot place, and Vorbis ffmpeg leaves alone) in a worker
 * thread. Errors name the file: "song.wav: truncated WAV: …".
 */
export async function readAudioFile(path: string, opts: ReadAudioFileOptions = {}): Promise<DecodedAudio> {
  const name = basename(path);
  const limits = decodeLimitsOf(opts);
  let bytes: Uint8Array;
  let container: AudioContainer | null;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new AudioFormatError('not a regular file');
    const head = await readFileHead(path, HEAD_BYTES);
    container = sniffContainer(head);
    const placed = placePcmFile(head, info.size, container);
    if (placed) return await readPcmInChunks(path, placed, limits);
    bytes = await readFile(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new AudioFormatError(`${name}: file not found`);
    if (err.code === 'ERR_FS_FILE_TOO_LARGE') throw new AudioFormatError(`${name}: file is too large to load`);
    throw prefixed(name, err);
  }
  try {
    const { ffmpegPath, maxHeapMb, timeoutMs } = opts;
    if (container === 'mp4') {
      const maxDurationSeconds = opts.maxDurationSeconds ?? opts.limits?.maxDurationSeconds;
      return await decodeAudio(bytes, { externalDecoders: ffmpegExternalDecoders({ ffmpegPath, maxDurationSeconds, timeoutMs }) });
    }
    if (container === 'ogg' && vorbisDecoderOf(opts) === 'ffmpeg') {
      const decoded = await decodeVorbisWithFfmpeg(bytes, { ffmpegPath, timeoutMs, limits });
      if (decoded) return decoded;
    }
    // The buffer is ours alone, so it can move into the worker instead of being copied.
    return await decodeInWorker(bytes, { maxHeapMb, timeoutMs, limits, transferInput: true });
  } catch (e) {
    throw prefixed(name, e as Error);
  }
}

/** The output limits of a decode: `maxDurationSeconds` given on its own, or in `limits` (which wins). */
export function decodeLimitsOf(opts: ReadAudioFileOptions): DecodeLimits {
  return { maxDurationSeconds: opts.maxDurationSeconds, ...opts.limits };
}

/** Who decodes Ogg Vorbis (see ReadAudioFileOptions.vorbisDecoder). */
export function vorbisDecoderOf(opts: ReadAudioFileOptions): 'ffmpeg' | 'libvorbis' {
  return (opts.vorbisDecoder ?? process.env.MASTERING_VORBIS_DECODER) === 'libvorbis' ? 'libvorbis' : 'ffmpeg';
}

/** Where a WAV or AIFF file's samples lie, from its header: all the piece reader needs. */
export interface PcmFileLayout {
  /** For messages. */
  kind: 'WAV' | 'AIFF';
  sampleRate: number;
  channelCount: number;
  frames: number;
  frameBytes: number;
  dataOffset: number;
  pcm: PcmLayout;
  format: FormatInfo;
}

/**
 * The layout of a WAV or AIFF file from its first bytes (`head`) and its size; null for another container, or for a
 * header this reader cannot place (beyond the first megabyte, or unparsable), leaving that file to the general path,
 * which also words the errors for broken headers.
 */
export function placePcmFile(head: Uint8Array, size: number, container = sniffContainer(head)): PcmFileLayout | null {
  try {
    switch (container) {
      case 'wav': {
        const l = parseWavLayout(head, size);
        return { kind: 'WAV', sampleRate: l.sampleRate, channelCount: l.channelCount, frames: l.frames, frameBytes: l.blockAlign, dataOffset: l.dataOffset, pcm: wavPcmLayout(l), format: wavFormatInfo(l) };
      }
      case 'aiff': {
        const l = parseAiffLayout(head, size);
        return { kind: 'AIFF', sampleRate: l.sampleRate, channelCount: l.channelCount, frames: l.frames, frameBytes: l.frameBytes, dataOffset: l.dataOffset, pcm: aiffPcmLayout(l), format: aiffFormatInfo(l) };
      }
      default:
        return null;
    }
  } catch {
    return null;
  }
}

/** A whole WAV or AIFF file, its pieces converted straight into the output (see readPcmPieces). */
async function readPcmInChunks(path: string, layout: PcmFileLayout, limits: DecodeLimits): Promise<DecodedAudio> {
  let channels: Float32Array[] = [];
  const format = await readPcmPieces(path, layout, limits, () => {
    channels = Array.from({ length: layout.channelCount }, () => new Float32Array(layout.frames));
    // Straight into the output: no piece buffers.
    return (bytes, frames, done) => pcmIntoPlanar(bytes, 0, frames, layout.pcm, channels, done);
  });
  return { sampleRate: format.sampleRate, channels, format };
}

/**
 * A WAV or AIFF file's samples as planar pieces of at most `PCM_READ_BYTES` worth, in order, through `consumer`: what
 * the streamed analysis reads.
 */
export async function streamPcmFile(path: string, layout: PcmFileLayout, limits: DecodeLimits, consumer: DecodeStreamConsumer): Promise<FormatInfo> {
  let started: Promise<void> | void = undefined;
  let pieces: Float32Array[] = [];
  return readPcmPieces(path, layout, limits, () => {
    pieces = Array.from({ length: layout.channelCount }, () => new Float32Array(framesPerRead(layout)));
    started = consumer.start(layout.sampleRate, layout.channelCount, layout.frames);
    // Awaited with the first piece, after a read: a refusal must not count as unhandled meanwhile.
    if (started instanceof Promise) started.catch(() => undefined);
    return async (bytes, frames) => {
      await started;
      pcmIntoPlanar(bytes, 0, frames, layout.pcm, pieces, 0);
      consumer.samples(frames === pieces[0].length ? pieces : pieces.map((p) => p.subarray(0, frames)), frames);
    };
  });
}

const framesPerRead = (layout: PcmFileLayout) => Math.max(1, Math.floor(PCM_READ_BYTES / layout.frameBytes));

/**
 * WAV and AIFF are the common uploads and the largest: reading the whole file first would hold its bytes and its float
 * samples at once (a 60-minute 96 kHz 24-bit file: 2 GB + 2.8 GB), and paying for fresh memory twice is most of such a
 * decode's cost. Here the file is read through one reused buffer and each piece handed to `onStart`'s callback (`done`
 * = frames before it). No worker thread: these are our own bounds-checked parsers, with memory sized from the header
 * after the duration limit, and no WASM to abort or hang.
 */
async function readPcmPieces(
  path: string,
  layout: PcmFileLayout,
  limits: DecodeLimits,
  onStart: () => (bytes: Uint8Array, frames: number, done: number) => void | Promise<void>,
): Promise<FormatInfo> {
  if (layout.frames > maxDecodedFrames(limits, layout.sampleRate, layout.channelCount)) {
    throw tooLongError(`${layout.kind} file`, layout.frames, layout.sampleRate, layout.channelCount, limits, true);
  }
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    const piece = onStart();
    const perRead = framesPerRead(layout);
    const buffer = new Uint8Array(perRead * layout.frameBytes);
    for (let done = 0; done < layout.frames; ) {
      const frames = Math.min(perRead, layout.frames - done);
      const want = frames * layout.frameBytes;
      let got = 0;
      while (got < want) {
        const { bytesRead: n } = await handle.read(buffer, got, want - got, layout.dataOffset + done * layout.frameBytes + got);
        if (n === 0) throw new AudioFormatError(`truncated ${layout.kind}: the file ended after ${done + Math.floor(got / layout.frameBytes)} of ${layout.frames} frames (was it changed while being read?)`);
        got += n;
      }
      await piece(buffer, frames, done);
      done += frames;
    }
    return layout.format;
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
