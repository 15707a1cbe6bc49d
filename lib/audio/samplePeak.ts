/** Sample peak: the largest absolute sample value, per channel and overall. No oversampling (see truePeak.ts). */
import type { PcmAudio } from './types';

export interface SamplePeakResult {
  /** dBFS (0 dBFS = 1.0); -Infinity for silence. */
  samplePeakDbfs: number;
  channelSamplePeakDbfs: number[];
  channelSamplePeakLinear: number[];
  /** Index (frame) of the first sample reaching each channel's peak. */
  channelPeakFrame: number[];
}

export function measureSamplePeak(pcm: PcmAudio): SamplePeakResult {
  const linear: number[] = [];
  const frames: number[] = [];
  for (const x of pcm.channels) {
    let peak = 0;
    let at = 0;
    for (let i = 0; i < x.length; i++) {
      const a = Math.abs(x[i]);
      if (a > peak) {
        peak = a;
        at = i;
      }
    }
    linear.push(peak);
    frames.push(at);
  }
  const toDb = (v: number) => (v > 0 ? 20 * Math.log10(v) : -Infinity);
  return {
    samplePeakDbfs: toDb(Math.max(0, ...linear)),
    channelSamplePeakDbfs: linear.map(toDb),
    channelSamplePeakLinear: linear,
    channelPeakFrame: frames,
  };
}
