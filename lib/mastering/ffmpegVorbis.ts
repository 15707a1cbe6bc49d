/**
 * Ogg Vorbis decoded by ffmpeg's native decoder in a subprocess (fenced in as ffmpegPcm.ts says), streamed to a
 * consumer as it decodes: streamAudioFile's fast path for the most common compressed upload. For four minutes of
 * stereo, ffmpeg's decoder takes ~0.2 s of CPU where libvorbis compiled to WebAssembly takes ~0.45 s in the decoder
 * thread, plus ~0.05 s to start that thread. The two agree to within -125 dBFS.
 *
 * Our own reader decides everything but the samples: that the file is one plain Vorbis stream, its rate, its channels
 * and its exact length (the last page's granule: ffmpeg 4.1 does not trim the last packet to it, and decodes pages some
 * encoders leave after the end). Whenever ffmpeg disagrees or complains, this returns null and the caller decodes with
 * libvorbis in the decoder thread instead, which also words the errors for damaged files exactly as before:
 * - ffmpeg is missing, cannot start, fails, hangs or floods;
 * - it ends short of the granule (a cut-off upload);
 * - it reports anything but the f32le muxer's timestamp notes (damage it concealed).
 */
import type { DecodeStreamConsumer } from '../audio/decode/decodeInWorker';
import { assertMasterable, MAX_FRAMES_PER_COMPRESSED_BYTE, maxDecodedFrames, type DecodeLimits } from '../audio/decode/limits';
import { probeAudio } from '../audio/decode/probe';
import { isSingleLogicalStream } from '../audio/decode/vorbisDirect';
import type { DecodedAudio, FormatInfo } from '../audio/types';
import { ffmpegPath, runFfmpegPcm, STDERR_KEEP_CHARS } from './ffmpegPcm';

export interface FfmpegVorbisOptions {
  /** ffmpeg executable; default env MASTERING_FFMPEG, else the npm-shipped static build. */
  ffmpegPath?: string;
  timeoutMs?: number;
  limits?: DecodeLimits;
  /** Called once ffmpeg is running, with time on this thread to spare before its first samples. */
  meanwhile?: () => void;
  /** ffmpeg's CPU priority below this thread's (ffmpegPcm.ts FfmpegPcmSpec.niceIncrement; default the lowest). */
  niceIncrement?: number;
}

/** Frames past the granule ffmpeg may produce before it counts as flooding (a last packet, pages after the end). */
const OVERRUN_FRAMES = 1 << 16;
/** What the f32le muxer says about the packets of pages left after the end; not damage. */
const BENIGN_LINE = /^\[f32le @ [^\]]*\] Application provided invalid, non monotonically increasing dts/;

/** The file's samples went to `consumer` and this is their format; null: decode it another way (see above). */
export async function streamVorbisWithFfmpeg(bytes: Uint8Array, consumer: DecodeStreamConsumer, opts: FfmpegVorbisOptions = {}): Promise<FormatInfo | null> {
  let binary: string;
  let header: FormatInfo;
  try {
    binary = opts.ffmpegPath ?? ffmpegPath();
    header = probeAudio(bytes.subarray(0, 1 << 20), bytes.length, bytes.subarray(Math.max(0, bytes.length - 256 * 1024)));
    // A layout we cannot master: libvorbis's path words the error.
    assertMasterable(header.channelCount, header.sampleRate, 'Vorbis file');
  } catch {
    return null;
  }
  const { sampleRate, channelCount, frames: expectedFrames } = header;
  if (header.codec !== 'vorbis' || !(expectedFrames > 0) || !Number.isInteger(sampleRate)) return null;
  if (expectedFrames > maxDecodedFrames(opts.limits, sampleRate, channelCount)) return null;
  // Consumers size their buffers by this length: a granule the bytes cannot plausibly hold is left to the general
  // decoder, which grows its output instead.
  if (expectedFrames > bytes.length * MAX_FRAMES_PER_COMPRESSED_BYTE + 65536) return null;
  if (!isSingleLogicalStream(bytes)) return null;

  let delivered = 0;
  let consumerError: unknown = null;
  // The consumer prepares while ffmpeg starts; ffmpeg's output waits in the pipe until it is ready.
  const starting = Promise.resolve().then(() => consumer.start(sampleRate, channelCount, expectedFrames));
  starting.catch((e: unknown) => {
    consumerError = e;
  });
  const run = runFfmpegPcm(
    [bytes],
    {
      binary,
      inputArgs: ['-f', 'ogg', '-c:a', 'vorbis'],
      sampleRate,
      channelCount,
      maxFrames: expectedFrames + OVERRUN_FRAMES,
      tooMuch: () => new Error('more audio than the granule says'),
      timeoutMs: opts.timeoutMs ?? 5 * 60_000,
      what: 'VORBIS file',
      niceIncrement: opts.niceIncrement,
    },
    (block, n) => {
      const take = Math.min(n, expectedFrames - delivered);
      if (take <= 0) return;
      try {
        consumer.samples(take === block[0].length ? block : block.map((c) => c.subarray(0, take)), take);
      } catch (e) {
        consumerError = e;
        throw e;
      }
      delivered += take;
    },
    starting,
    opts.meanwhile,
  );
  let stderr: string;
  try {
    ({ stderr } = await run);
  } catch {
    if (consumerError !== null) throw consumerError;
    return null;
  }
  const complaints = stderr.split('\n').filter((line) => line.trim() !== '' && !BENIGN_LINE.test(line));
  // Complaints cut off may hide real ones behind the muxer's notes.
  if (delivered < expectedFrames || complaints.length > 0 || stderr.length >= STDERR_KEEP_CHARS) return null;
  return { container: 'ogg', codec: 'vorbis', sampleRate, channelCount, frames: expectedFrames, durationSeconds: expectedFrames / sampleRate };
}

/** A whole Ogg Vorbis file decoded by ffmpeg, under the same rules; null: decode it another way. */
export async function decodeVorbisWithFfmpeg(bytes: Uint8Array, opts: Omit<FfmpegVorbisOptions, 'meanwhile'> = {}): Promise<DecodedAudio | null> {
  let channels: Float32Array[] = [];
  let at = 0;
  const format = await streamVorbisWithFfmpeg(
    bytes,
    {
      // The exact length is known (the granule, limits already checked): one allocation, no growing.
      start: (_sampleRate, channelCount, expectedFrames) => {
        channels = Array.from({ length: channelCount }, () => new Float32Array(expectedFrames));
        at = 0;
      },
      samples: (piece, frames) => {
        for (let c = 0; c < channels.length; c++) channels[c].set(piece[c].subarray(0, frames), at);
        at += frames;
      },
    },
    opts,
  );
  return format ? { sampleRate: format.sampleRate, channels, format } : null;
}
