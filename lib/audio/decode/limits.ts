import { AudioFormatError } from '../types';

/** Mastering is defined for mono and stereo only; surround needs a downmix decision we do not make for the user. */
export const MAX_CHANNELS = 2;
/** Below 8 kHz nothing musical survives; above 384 kHz no converter exists and buffers get absurd. */
export const MIN_SAMPLE_RATE_HZ = 8000;
export const MAX_SAMPLE_RATE_HZ = 384000;

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
