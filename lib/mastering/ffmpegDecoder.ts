/**
 * Decodes MP4 audio (AAC, ALAC) with an ffmpeg subprocess (ffmpegPcm.ts: how it is fenced in). The only FAAD2-free AAC
 * decoder within reach is ffmpeg's own, and the WASM route (@audio/decode-aac) is GPL-2.0-only, which
 * AGPL-3.0-or-later cannot ship.
 *
 * Rate, channels and the exact gapless length come from our own box parser (lib/audio/decode/mp4Boxes.ts); ffmpeg is
 * forced to the mov demuxer, told to output exactly that layout and to ignore the edit list, and we trim ourselves,
 * identically for every ffmpeg version.
 */
import { findMoov, moovFirstSegments, readAudioTrack } from '../audio/decode/mp4Boxes';
import { assertMasterable, MAX_FRAMES_PER_COMPRESSED_BYTE } from '../audio/decode/limits';
import { PlanarAccumulator } from '../audio/decode/planarAccumulator';
import { AudioFormatError, type DecodedAudio } from '../audio/types';
import { ffmpegPath, firstLine, runFfmpegPcm } from './ffmpegPcm';

export { ffmpegPath };

export interface FfmpegDecodeOptions {
  /** ffmpeg executable; default env MASTERING_FFMPEG, else the npm-shipped static build. */
  ffmpegPath?: string;
  /** Kill ffmpeg after this long. Default 5 minutes (a 4-minute AAC track takes about a second). */
  timeoutMs?: number;
  /** Files whose sample table claims more than this are refused before decoding. Default 3 hours. */
  maxDurationSeconds?: number;
}

/** Output beyond the sample table's length: one codec frame of padding at the end (AAC decodes its last frame
 * whole) plus slack for decoders that emit an extra frame. More than this means the table lies. */
const OUTPUT_MARGIN_FRAMES = 16384;

/** The injectable form decodeAudio expects: `decodeAudio(bytes, { externalDecoders: ffmpegExternalDecoders() })`. */
export function ffmpegExternalDecoders(opts: FfmpegDecodeOptions = {}) {
  return { mp4: (bytes: Uint8Array) => decodeMp4WithFfmpeg(bytes, opts) };
}

export async function decodeMp4WithFfmpeg(bytes: Uint8Array, opts: FfmpegDecodeOptions = {}): Promise<DecodedAudio> {
  const segments = moovFirstSegments(bytes);
  const moovBytes = segments.length === 1 ? bytes : segments[1];
  const moov = findMoov(segments.length === 1 ? bytes : moovBytes);
  if (!moov) throw new AudioFormatError('truncated MP4: the index (moov box) is missing or cut off');
  const track = readAudioTrack(moovBytes, moov);
  const what = `${track.codec.toUpperCase()} file`;
  const { sampleRate, channelCount } = track;
  assertMasterable(channelCount, sampleRate, what);
  if (!Number.isInteger(sampleRate)) throw new AudioFormatError(`${what} declares a fractional sample rate (${sampleRate} Hz)`);
  const { skipFrames, keepFrames } = track.gapless;
  if (!Number.isFinite(keepFrames) || keepFrames <= 0) throw new AudioFormatError(`corrupt ${what}: the sample table is empty`);
  const maxSeconds = opts.maxDurationSeconds ?? 3 * 3600;
  if (track.sampleTableFrames / sampleRate > maxSeconds) {
    throw new AudioFormatError(`${what} claims to last ${formatDuration(track.sampleTableFrames / sampleRate)}; the limit is ${formatDuration(maxSeconds)}`);
  }

  const maxFrames = track.sampleTableFrames + OUTPUT_MARGIN_FRAMES;
  const tooMuch = () => new AudioFormatError(`corrupt ${what}: the decoder produced more audio than the file's index holds`);
  // Room for the table plus the last frame's padding, so the trimmed result can stay a view (no final copy). A forged
  // table must not make us allocate its claim up front though: capped by what the bytes could plausibly hold (silence
  // exceeds it, and then the planes grow).
  const output = new PlanarAccumulator(Math.min(track.sampleTableFrames + 4096, bytes.length * MAX_FRAMES_PER_COMPRESSED_BYTE + 65536), maxFrames, tooMuch);
  const { stderr } = await runFfmpegPcm(
    segments,
    {
      binary: opts.ffmpegPath ?? ffmpegPath(),
      inputArgs: ['-f', 'mov', '-ignore_editlist', '1', '-c:a', track.codec === 'alac' ? 'alac' : 'aac'],
      sampleRate,
      channelCount,
      maxFrames,
      tooMuch,
      timeoutMs: opts.timeoutMs ?? 5 * 60_000,
      what,
    },
    (block) => output.append(block),
  );

  const decodedFrames = output.frames;
  // Same rule as the WASM decoders: a small shortfall is a decoder's edge, a large one a broken upload.
  if (decodedFrames < (skipFrames + keepFrames) * 0.98 - 4096) {
    const firstError = firstLine(stderr);
    throw new AudioFormatError(
      decodedFrames === 0
        ? `corrupt ${what}: no audio could be decoded${firstError ? ` (${firstError})` : ''}`
        : `truncated ${what}: the index says ${keepFrames} samples per channel, only ${Math.max(0, decodedFrames - skipFrames)} could be decoded`,
    );
  }
  const frames = Math.min(keepFrames, decodedFrames - skipFrames);
  // The trimmed views, unless the buffer around them is mostly dead weight (it grew past the real length).
  const channels = output.take(skipFrames, frames);
  return {
    sampleRate,
    channels,
    format: {
      container: 'mp4',
      codec: track.codec,
      sampleRate,
      channelCount,
      ...(track.bitsPerSample ? { bitsPerSample: track.bitsPerSample } : {}),
      frames,
      durationSeconds: frames / sampleRate,
    },
  };
}

function formatDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : `${m} min`;
}
