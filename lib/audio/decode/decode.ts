/**
 * Entry point: bytes in, planar float PCM out. Dispatches on the file's magic bytes, never on its name.
 */
import { AudioFormatError, type DecodedAudio } from '../types';
import { decodeAiff, parseAiffLayout } from './aiff';
import { decodeCompressed } from './compressed';
import { maxDecodedFrames, tooLongError, type DecodeLimits } from './limits';
import { describeUnsupported, sniffContainer } from './probe';
import { decodeWav, parseWavLayout } from './wav';

export interface DecodeAudioOptions {
  /**
   * Decoders for containers lib/audio cannot decode itself. MP4 (AAC, ALAC) has no licence-compatible decoder we
   * can run in-process, so the caller injects one (lib/mastering/ffmpegDecoder.ts runs ffmpeg in a subprocess);
   * lib/audio stays free of child processes.
   */
  externalDecoders?: { mp4?: (bytes: Uint8Array) => Promise<DecodedAudio> };
  /** Output limits (duration, bytes of float samples); defaults in limits.ts. MP4's decoder applies its own. */
  limits?: DecodeLimits;
}

export async function decodeAudio(bytes: Uint8Array, opts: DecodeAudioOptions = {}): Promise<DecodedAudio> {
  const container = sniffContainer(bytes.subarray(0, 1024 * 1024));
  switch (container) {
    case null:
      throw new AudioFormatError(describeUnsupported(bytes.subarray(0, 4096)));
    case 'wav':
    case 'aiff': {
      // Frames are known from the header; the PCM is at most 4x the file, but a huge 8-bit file still says no here.
      const layout = container === 'wav' ? parseWavLayout(bytes) : parseAiffLayout(bytes);
      if (layout.frames > maxDecodedFrames(opts.limits, layout.sampleRate, layout.channelCount)) {
        throw tooLongError(`${container.toUpperCase()} file`, layout.frames, layout.sampleRate, layout.channelCount, opts.limits, true);
      }
      return container === 'wav' ? decodeWav(bytes) : decodeAiff(bytes);
    }
    case 'mp4': {
      const mp4 = opts.externalDecoders?.mp4;
      if (!mp4) {
        throw new AudioFormatError(
          'M4A/AAC/ALAC decoding needs the external decoder (ffmpeg), which is not available here; convert to WAV, FLAC or MP3',
        );
      }
      return mp4(bytes);
    }
    default:
      return decodeCompressed(bytes, container, opts.limits);
  }
}
