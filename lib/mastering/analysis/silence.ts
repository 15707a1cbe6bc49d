/**
 * Leading and trailing silence: where the first and last 10 ms block with a sample above the threshold is.
 * Dither noise at 16 bits sits near -90 dBFS, so -60 dBFS separates "nothing playing" from quiet music.
 */
import type { PcmAudio } from '@/lib/audio/types';

export interface SilenceEdges {
  headSeconds: number;
  tailSeconds: number;
  /** True when no block exceeds the threshold. */
  allSilent: boolean;
}

export function measureSilenceEdges(pcm: PcmAudio, thresholdDbfs = -60, blockSeconds = 0.01): SilenceEdges {
  const threshold = 10 ** (thresholdDbfs / 20);
  const length = pcm.channels[0]?.length ?? 0;
  const block = Math.max(1, Math.round(blockSeconds * pcm.sampleRate));
  const loud = (from: number, to: number) => {
    for (const samples of pcm.channels) {
      for (let i = from; i < to; i++) if (samples[i] > threshold || samples[i] < -threshold) return true;
    }
    return false;
  };
  let first = -1;
  for (let start = 0; start < length; start += block) {
    if (loud(start, Math.min(length, start + block))) {
      first = start;
      break;
    }
  }
  const durationSeconds = length / pcm.sampleRate;
  if (first < 0) return { headSeconds: durationSeconds, tailSeconds: durationSeconds, allSilent: true };
  let lastEnd = length;
  const lastStart = Math.floor((length - 1) / block) * block;
  for (let start = lastStart; start >= first; start -= block) {
    const end = Math.min(length, start + block);
    if (loud(start, end)) {
      lastEnd = end;
      break;
    }
  }
  return { headSeconds: first / pcm.sampleRate, tailSeconds: (length - lastEnd) / pcm.sampleRate, allSilent: false };
}
