/**
 * FLAC, MP3 and Ogg Vorbis/Opus through the @audio/* WASM decoders (all MIT), fed in chunks into one
 * preallocated output so long files need about one copy of their PCM.
 *
 * MP4 (AAC/ALAC) is deliberately not here. The only WASM route, @audio/decode-mp4 -> @audio/decode-aac, bundles
 * FAAD2 under "GNU GPL v2.0" with no "or later", which is incompatible with our AGPL-3.0-or-later, so the lead
 * decided not to ship it (the packages were removed from package.json). MP4 is decoded by ffmpeg in a subprocess,
 * injected by the caller: see DecodeAudioOptions.externalDecoders in decode.ts and lib/mastering/ffmpegDecoder.ts.
 */
import { AudioFormatError, type DecodedAudio, type FormatInfo } from '../types';
import { assertMasterable, MAX_FRAMES_PER_COMPRESSED_BYTE, maxDecodedFrames, tooLongError, type DecodeLimits } from './limits';
import { PlanarAccumulator } from './planarAccumulator';
import { skipId3v2 } from './mpegFrame';
import { probeAudio, type AudioContainer } from './probe';
import { decodeVorbisDirect, type VorbisSink } from './vorbisDirect';

interface ChunkDecoder {
  decode(data: Uint8Array): DecoderOutput | Promise<DecoderOutput>;
  /** Absent on decoders (MP3) that hold nothing back. */
  flush?(): DecoderOutput | Promise<DecoderOutput>;
  free(): void;
}
interface DecoderOutput {
  channelData: Float32Array[];
  sampleRate: number;
  /** A list of messages, or (some decoders) just a count of frames that failed. */
  errors?: { message: string }[] | number;
}

const INPUT_CHUNK_BYTES = 256 * 1024;

export type CompressedContainer = Exclude<AudioContainer, 'wav' | 'aiff' | 'mp4'>;

async function loadDecoder(container: CompressedContainer, codec: string): Promise<ChunkDecoder> {
  switch (container) {
    case 'flac':
      return (await import('@audio/decode-flac')).decoder();
    case 'mp3':
      return (await import('@audio/decode-mp3')).decoder() as Promise<ChunkDecoder>;
    case 'ogg':
      if (codec === 'opus') return (await import('@audio/decode-opus')).decoder();
      return (await import('@audio/decode-vorbis')).decoder() as Promise<ChunkDecoder>;
  }
}

interface HeaderFacts {
  header: ReturnType<typeof probeAudio>;
  what: string;
  hint: number;
  maxFrames: number;
  cap: OutputCap;
}

function headerFacts(bytes: Uint8Array, container: CompressedContainer, limits?: DecodeLimits): HeaderFacts {
  // The header tells the real channel count (the MP3 decoder always outputs two) and a length to preallocate.
  const tail = container === 'ogg' ? bytes.subarray(Math.max(0, bytes.length - 256 * 1024)) : undefined;
  const headBytes = Math.max(1024 * 1024, skipId3v2(bytes) + 128 * 1024);
  const header = probeAudio(bytes.subarray(0, headBytes), bytes.length, tail);
  const what = `${header.codec === 'unknown' ? container.toUpperCase() : header.codec.toUpperCase()} file`;

  // The header's length is only a hint, capped by what the bytes can plausibly hold.
  const hint = Number.isFinite(header.frames) ? Math.min(header.frames + 4096, bytes.length * MAX_FRAMES_PER_COMPRESSED_BYTE) : 0;
  // Refuse what the header already says is too long; count the rest while decoding (the header may lie or be absent).
  // Codecs emit a frame or two past the end they trim to, hence the slack.
  const maxFrames = maxDecodedFrames(limits, header.sampleRate, header.channelCount);
  if (Number.isFinite(header.frames) && header.frames > maxFrames) throw tooLongError(what, header.frames, header.sampleRate, header.channelCount, limits, true);
  const cap = { maxFrames: maxFrames + 8192, tooLong: (frames: number) => tooLongError(what, frames, header.sampleRate, header.channelCount, limits) };
  return { header, what, hint, maxFrames, cap };
}

/** What every decode must pass, whether its samples were kept or streamed: a clear error for damage, else the facts. */
function checkedFormat(facts: HeaderFacts, container: CompressedContainer, sampleRate: number, decodedChannels: number, decodedFrames: number, errors: string[]): FormatInfo {
  const { header, what, maxFrames, cap } = facts;
  if (decodedFrames > maxFrames) throw cap.tooLong(decodedFrames);
  if (decodedFrames === 0) {
    throw new AudioFormatError(`corrupt ${what}: no audio could be decoded${errors.length ? ` (${errors[0]})` : ''}`);
  }
  // A file cut short is decoded up to the cut by these decoders; a large shortfall against the header means a broken
  // upload, which we reject rather than master half a song.
  if (Number.isFinite(header.frames) && header.frames > 0 && decodedFrames < header.frames * 0.98 - 4096) {
    throw new AudioFormatError(
      `truncated ${what}: header says ${header.frames} samples per channel, only ${decodedFrames} could be decoded`,
    );
  }
  // The MP3 decoder resyncs past a bad frame; the length check above catches real damage there. FLAC/Vorbis/Opus
  // errors mean the stream is corrupt.
  if (errors.length > 0 && container !== 'mp3') {
    throw new AudioFormatError(`corrupt ${what}: ${errors[0]}`);
  }
  const channelCount = Number.isFinite(header.channelCount) ? Math.min(header.channelCount, decodedChannels) : decodedChannels;
  assertMasterable(channelCount, sampleRate, what);
  return {
    container: header.container,
    codec: header.codec,
    sampleRate,
    channelCount,
    ...(header.bitsPerSample !== undefined ? { bitsPerSample: header.bitsPerSample } : {}),
    frames: decodedFrames,
    durationSeconds: decodedFrames / sampleRate,
  };
}

export async function decodeCompressed(bytes: Uint8Array, container: CompressedContainer, limits?: DecodeLimits): Promise<DecodedAudio> {
  const facts = headerFacts(bytes, container, limits);
  const { header, hint, what, cap } = facts;
  const decoded = (container === 'ogg' && header.codec === 'vorbis' ? await decodeVorbisFast(bytes, header.frames, hint, what, cap) : null)
    ?? (await decodeInChunks(bytes, container, header.codec, hint, what, cap));
  const format = checkedFormat(facts, container, decoded.sampleRate, decoded.channels.length, decoded.channels[0]?.length ?? 0, decoded.errors);
  return { sampleRate: format.sampleRate, channels: decoded.channels.slice(0, format.channelCount), format };
}

/** Where a streamed decode's samples go (the Vorbis reader's sink, for every codec here). */
export type DecodeSink = VorbisSink;

/**
 * FLAC, MP3, Ogg Vorbis or Opus straight into `sink` as it decodes (the analysis of a stream), checked like every decode
 * once it ends. Null when the direct Vorbis reader leaves the stream to the general decoder; if that turns out only
 * after samples went to the sink (a chained file is seen at its end), the caller must start over on a whole decode.
 */
export async function decodeToSink(bytes: Uint8Array, container: CompressedContainer, limits: DecodeLimits | undefined, sink: DecodeSink): Promise<FormatInfo | null> {
  const facts = headerFacts(bytes, container, limits);
  const { header, what, cap, hint } = facts;
  if (container === 'ogg' && header.codec === 'vorbis') {
    let channelCount = 0;
    let result;
    try {
      // The probe's length (the last page's granule) is only a sizing hint, capped like the whole decode's.
      result = await decodeVorbisDirect(bytes, Number.isFinite(header.frames) ? Math.min(header.frames, hint) : NaN, cap, {
        start: (sampleRate, channels, expectedFrames) => {
          channelCount = channels;
          sink.start(sampleRate, channels, expectedFrames);
        },
        write: (channels, frames) => sink.write(channels, frames),
      });
    } catch (e) {
      if (e instanceof AudioFormatError) throw e;
      throw new AudioFormatError(`corrupt ${what}: ${(e as Error).message}`);
    }
    if (!result) return null;
    return checkedFormat(facts, 'ogg', result.sampleRate, channelCount, result.frames, result.errors);
  }
  const decoded = await decodeInChunks(bytes, container, header.codec, hint, what, cap, sink, Number.isFinite(header.channelCount) ? header.channelCount : Infinity);
  return checkedFormat(facts, container, decoded.sampleRate, decoded.channelCount, decoded.frames, decoded.errors);
}

interface DecodedChannels {
  sampleRate: number;
  channels: Float32Array[];
  errors: string[];
}

/** Ogg Vorbis without the package's JS layer (about a third faster); null when the stream needs the general path. */
interface OutputCap {
  maxFrames: number;
  tooLong: (frames: number) => Error;
}

async function decodeVorbisFast(bytes: Uint8Array, probedFrames: number, hint: number, what: string, cap: OutputCap): Promise<DecodedChannels | null> {
  try {
    // An exact probe (the last page's granule) sizes the output once; a forged one is capped like the hint.
    return await decodeVorbisDirect(bytes, Number.isFinite(probedFrames) ? Math.min(probedFrames, hint) : NaN, cap);
  } catch (e) {
    if (e instanceof AudioFormatError) throw e;
    throw new AudioFormatError(`corrupt ${what}: ${(e as Error).message}`);
  }
}

interface ChunkedDecode {
  sampleRate: number;
  /** Empty when the samples went to a sink. */
  channels: Float32Array[];
  /** Channels the decoder produced (a sink got at most `keepChannels` of them). */
  channelCount: number;
  frames: number;
  errors: string[];
}

/**
 * The general path: the package decoder fed 256 KB at a time, its output collected into one planar output, or handed
 * to `sink` (its first `keepChannels` channels: the MP3 decoder always outputs two, the header knows better).
 */
async function decodeInChunks(bytes: Uint8Array, container: CompressedContainer, codec: string, hint: number, what: string, cap: OutputCap, sink?: DecodeSink, keepChannels = Infinity): Promise<ChunkedDecode> {
  const decoder = await loadDecoder(container, codec);
  const acc = sink ? null : new PlanarAccumulator(hint, cap.maxFrames, cap.tooLong);
  let sampleRate = 0;
  let channelCount = 0;
  let frames = 0;
  const errors: string[] = [];
  const take = (out: DecoderOutput) => {
    if (out.sampleRate) sampleRate = out.sampleRate;
    if (Array.isArray(out.errors)) for (const e of out.errors) errors.push(e.message);
    else if (typeof out.errors === 'number' && out.errors > 0) errors.push(`${out.errors} frames could not be decoded`);
    const n = out.channelData[0]?.length ?? 0;
    if (n === 0) return;
    if (acc) {
      acc.append(out.channelData);
    } else {
      if (frames + n > cap.maxFrames) throw cap.tooLong(frames + n);
      if (channelCount === 0) sink!.start(sampleRate, Math.min(keepChannels, out.channelData.length), hint > 0 ? hint : NaN);
      else if (out.channelData.length !== channelCount) throw new Error(`decoder changed channel count mid-stream (${channelCount} -> ${out.channelData.length})`);
      sink!.write(out.channelData.slice(0, keepChannels), n);
    }
    channelCount = out.channelData.length;
    frames += n;
  };
  try {
    for (let p = 0; p < bytes.length; p += INPUT_CHUNK_BYTES) take(await decoder.decode(bytes.subarray(p, p + INPUT_CHUNK_BYTES)));
    if (decoder.flush) take(await decoder.flush());
  } catch (e) {
    if (e instanceof AudioFormatError) throw e;
    throw new AudioFormatError(`corrupt ${what}: ${(e as Error).message}`);
  } finally {
    decoder.free();
  }
  return { sampleRate, channels: acc && acc.frames > 0 ? acc.take() : [], channelCount, frames, errors };
}
