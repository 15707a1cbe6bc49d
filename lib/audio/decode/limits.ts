import { AudioFormatError } from '../types';

/** Mastering is defined for mono and stereo only; surround needs a downmix decision we do not make for the user. */
export const MAX_CHANNELS = 2;
/** Below 8 kHz nothing musical survives; above 384 kHz no converter exists and buffers get absurd. */
export const MIN_SAMPLE_RATE_HZ = 8000;
export const MAX_SAMPLE_RATE_HZ = 384000;

/**
 * How much PCM one decode may produce. Compressed formats are decompression bombs waiting to happen: a 3.7 MB FLAC
 * of digital silence decodes to 6 hours (8 GB of float samples; before this limit it took the process to 17 GB RSS).
 * The worker's heap cap does not see this memory (typed arrays and WASM memories live outside the JS heap), so the
 * decoders count frames against this limit themselves. Defaults: 3 hours (as the MP4 path) and 4 GiB of float32
 * samples, which still admits the longest file the service promises (60 min stereo at 96 kHz: 2.8 GB).
 */
export interface DecodeLimits {
  maxDurationSeconds?: number;
  maxPcmBytes?: number;
}
export const DEFAULT_MAX_DURATION_SECONDS = 3 * 3600;
export const DEFAULT_MAX_PCM_BYTES = 4 * 1024 ** 3;

/**
 * No compressed codec here packs more than ~24 frames per input byte except near-silence (which an output grows
 * into): what a header's or index's claimed length may make a decoder allocate up front is capped by it, so a forged
 * length cannot cost gigabytes before a single frame is decoded.
 */
export const MAX_FRAMES_PER_COMPRESSED_BYTE = 24;

/** The most frames a decode of this layout may produce. */
export function maxDecodedFrames(limits: DecodeLimits | undefined, sampleRateHz: number, channelCount: number): number {
  const seconds = limits?.maxDurationSeconds ?? DEFAULT_MAX_DURATION_SECONDS;
  const bytes = limits?.maxPcmBytes ?? DEFAULT_MAX_PCM_BYTES;
  const byDuration = Number.isFinite(sampleRateHz) && sampleRateHz > 0 ? Math.floor(seconds * sampleRateHz) : Infinity;
  const byBytes = Math.floor(bytes / (4 * Math.max(1, Number.isFinite(channelCount) ? channelCount : 2)));
  return Math.min(byDuration, byBytes);
}

/**
 * The error for a decode over the limit: `frames` is what the header claims (`fromHeader`) or what has been decoded
 * so far (the decode stopped there).
 */
export function tooLongError(what: string, frames: number, sampleRateHz: number, channelCount: number, limits?: DecodeLimits, fromHeader = false): AudioFormatError {
  const seconds = limits?.maxDurationSeconds ?? DEFAULT_MAX_DURATION_SECONDS;
  const bytes = limits?.maxPcmBytes ?? DEFAULT_MAX_PCM_BYTES;
  const known = Number.isFinite(sampleRateHz) && sampleRateHz > 0;
  const duration = known ? formatDuration(frames / sampleRateHz) : `${frames} samples per channel`;
  const size = `${formatBytes(frames * 4 * Math.max(1, channelCount))} as samples`;
  const limit = `the limit is ${formatDuration(seconds)} or ${formatBytes(bytes)}`;
  return new AudioFormatError(
    fromHeader
      ? `${what} claims to hold ${duration} (${size}); ${limit}`
      : `${what} decodes to more than the limit (over ${duration}, ${size}; ${limit})`,
  );
}

function formatBytes(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds - h * 3600) / 60);
  return m ? `${h} h ${m} min` : `${h} h`;
}

/** Rejects layouts we cannot master, with a message that says why in the user's words. */
export function assertMasterable(channelCount: number, sampleRateHz: number, what: string): void {
  if (!Number.isFinite(channelCount) || channelCount < 1) {
    throw new AudioFormatError(`${what} declares ${channelCount} channels`);
  }
  if (channelCount > MAX_CHANNELS) {
    throw new AudioFormatError(`${what} has ${channelCount} channels; only mono and stereo can be mastered`);
  }
  if (!Number.isFinite(sampleRateHz) || sampleRateHz <= 0) {
    throw new AudioFormatError(`${what} declares an invalid sample rate (${sampleRateHz})`);
  }
  if (sampleRateHz < MIN_SAMPLE_RATE_HZ || sampleRateHz > MAX_SAMPLE_RATE_HZ) {
    throw new AudioFormatError(
      `${what} has a sample rate of ${formatRate(sampleRateHz)}; only 8 kHz to 384 kHz is supported`,
    );
  }
}

function formatRate(hz: number): string {
  return hz % 1000 === 0 ? `${hz / 1000} kHz` : `${hz} Hz`;
}
