/**
 * What a render's report needs besides its loudness and spectrum: true and sample peak, and the stereo image. All of
 * it either ignores the final gain (side-to-mid ratio, correlation) or moves with it by exactly that gain (the
 * peaks), so it is measured once per render, before the final gain, on the chain worker while the main thread meters
 * loudness and spectrum.
 */
import { measureSamplePeak } from '@/lib/audio/samplePeak';
import { measureTruePeak } from '@/lib/audio/truePeak';
import type { PcmAudio } from '@/lib/audio/types';
import { measureStereoOverTime } from '../analysis/stereo';

export interface OutputLevels {
  truePeakDbtp: number;
  samplePeakDbfs: number;
  sideToMidDb: number;
  correlation: number;
}

export function measureOutputLevels(pcm: PcmAudio): OutputLevels {
  const stereo = measureStereoOverTime(pcm, 60);
  return {
    truePeakDbtp: measureTruePeak(pcm, { maxOverPositions: 0 }).truePeakDbtp,
    samplePeakDbfs: measureSamplePeak(pcm).samplePeakDbfs,
    sideToMidDb: stereo.sideToMidDb,
    correlation: stereo.correlation,
  };
}
