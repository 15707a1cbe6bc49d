import type { PcmAudio } from './types';

/**
 * Planar float64 audio used between processing stages. The render chain converts once from float32 on the way in
 * and once back on the way out, so filter state and intermediate sums never lose precision between stages, and the
 * hot loops only ever see one array type (V8 keeps them monomorphic).
 */
export interface WorkingAudio {
  sampleRate: number;
  channels: Float64Array[];
}

export function toWorkingAudio(pcm: PcmAudio): WorkingAudio {
  return { sampleRate: pcm.sampleRate, channels: pcm.channels.map((c) => Float64Array.from(c)) };
}

export function toPcmAudio(work: WorkingAudio): PcmAudio {
  return { sampleRate: work.sampleRate, channels: work.channels.map((c) => Float32Array.from(c)) };
}

export function frameCount(work: { channels: ArrayLike<number>[] }): number {
  return work.channels.length === 0 ? 0 : work.channels[0].length;
}

export const dbToGain = (db: number): number => Math.pow(10, db / 20);
export const gainToDb = (gain: number): number => 20 * Math.log10(gain);
