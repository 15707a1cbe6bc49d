/**
 * FLAC, MP3, Ogg Vorbis/Opus and MP4 (AAC/ALAC) through the @audio/* WASM decoders, fed in chunks into one
 * preallocated output so long files need about one copy of their PCM.
 */
import { AudioFormatError, type DecodedAudio } from '../types';
import { assertMasterable } from './limits';
import { PlanarAccumulator } from './planarAccumulator';
import { skipId3v2 } from './mpegFrame';
import { probeAudio, type AudioContainer } from './probe';

interface ChunkDecoder {
  decode(data: Uint8Array): DecoderOutput | Promise<DecoderOutput>;
  /** Absent on decoders (MP3) that hold nothing back. */
  flush?(): DecoderOutput | Promise<DecoderOutput>;
  free(): void;
}
interface DecoderOutput {
  channelData: Float32Array[];
  sampleRate: number;
  /** A list of messages, or (AAC) just a count of frames that failed. */
  errors?: { message: string }[] | number;
}

const INPUT_CHUNK_BYTES = 256 * 1024;

/**
 * The MP4 path (AAC and ALAC) goes through @audio/decode-mp4 -> @audio/decode-aac, whose npm licence field is
 * "GPL-2.0" (FAAD2 inside). Kept to this one loader so it can be swapped or dropped without touching the rest.
 */
async function loadDecoder(container: AudioContainer, codec: string): Promise<ChunkDecoder> {
  switch (container) {
    case 'flac':
      return (await import('@audio/decode-flac')).decoder();
    case 'mp3':
      return (await import('@audio/decode-mp3')).decoder() as Promise<ChunkDecoder>;
    case 'ogg':
      if (codec === 'opus') return (await import('@audio/decode-opus')).decoder();
      return (await import('@audio/decode-vorbis')).decoder() as Promise<ChunkDecoder>;
    case 'mp4':
      return (await import('@audio/decode-mp4')).decoder();
    default:
      throw new Error(`no compressed decoder for ${container}`);
  }
}

export async function decodeCompressed(bytes: Uint8Array, container: AudioContainer): Promise<DecodedAudio> {
  // The header tells the real channel count (the MP3 decoder always outputs two) and a length to preallocate.
  const tail = container === 'ogg' || container === 'mp4' ? bytes.subarray(Math.max(0, bytes.length - 256 * 1024)) : undefined;
  const headBytes = Math.max(1024 * 1024, skipId3v2(bytes) + 128 * 1024);
  const header = probeAudio(bytes.subarray(0, headBytes), bytes.length, tail);
  const what = `${header.codec === 'unknown' ? container.toUpperCase() : header.codec.toUpperCase()} file`;

  const decoder = await loadDecoder(container, header.codec);
  // The header's length is only a hint: a forged one must not make us allocate gigabytes up front. No codec here
  // packs more than ~24 frames per input byte except near-silence, which the accumulator grows into.
  const hint = Number.isFinite(header.frames) ? Math.min(header.frames + 4096, bytes.length * 24) : 0;
  const acc = new PlanarAccumulator(hint);
  let sampleRate = 0;
  const errors: string[] = [];
  const take = (out: DecoderOutput) => {
    if (out.sampleRate) sampleRate = out.sampleRate;
    if (Array.isArray(out.errors)) for (const e of out.errors) errors.push(e.message);
    else if (typeof out.errors === 'number' && out.errors > 0) errors.push(`${out.errors} frames could not be decoded`);
    acc.append(out.channelData);
  };
  try {
    // MP4 needs its index (moov) before samples; feeding the whole file at once keeps that simple.
    const step = container === 'mp4' ? bytes.length : INPUT_CHUNK_BYTES;
    for (let p = 0; p < bytes.length; p += step) take(await decoder.decode(bytes.subarray(p, p + step)));
    if (decoder.flush) take(await decoder.flush());
  } catch (e) {
    if (e instanceof AudioFormatError) throw e;
    throw new AudioFormatError(`corrupt ${what}: ${(e as Error).message}`);
  } finally {
    decoder.free();
  }

  if (acc.frames === 0) {
    throw new AudioFormatError(`corrupt ${what}: no audio could be decoded${errors.length ? ` (${errors[0]})` : ''}`);
  }
  // A file cut short is decoded up to the cut by these decoders; a large shortfall against the header means a broken
  // upload, which we reject rather than master half a song.
  if (Number.isFinite(header.frames) && header.frames > 0 && acc.frames < header.frames * 0.98 - 4096) {
    throw new AudioFormatError(
      `truncated ${what}: header says ${header.frames} samples per channel, only ${acc.frames} could be decoded`,
    );
  }
  // MP3 and AAC decoders resync past a bad frame (and FAAD2 reports its withheld first frame as one); the length
  // check above catches real damage there. FLAC/Vorbis/Opus errors mean the stream is corrupt.
  if (errors.length > 0 && container !== 'mp3' && container !== 'mp4') {
    throw new AudioFormatError(`corrupt ${what}: ${errors[0]}`);
  }
  const channelCount = Number.isFinite(header.channelCount) ? Math.min(header.channelCount, acc.channelCount) : acc.channelCount;
  assertMasterable(channelCount, sampleRate, what);
  const channels = acc.take().slice(0, channelCount);
  const frames = channels[0].length;
  return {
    sampleRate,
    channels,
    format: {
      container: header.container,
      codec: header.codec === 'unknown' ? 'aac' : header.codec,
      sampleRate,
      channelCount,
      ...(header.bitsPerSample !== undefined ? { bitsPerSample: header.bitsPerSample } : {}),
      frames,
      durationSeconds: frames / sampleRate,
    },
  };
}
