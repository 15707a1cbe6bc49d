/**
 * What a render's report needs besides its loudness and spectrum: true and sample peak, and the stereo image. All of
 * it either ignores the final gain (side-to-mid ratio, correlation) or moves with it by exactly that gain (the
 * peaks), so it is measured once per render, before the final gain, on the chain worker while the main thread meters
 * loudness and spectrum.
 */
import { measurePeaks } from '@/lib/audio/truePeak';
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
  // One pass for both peaks (the sample peak of the float32 output this render becomes, see measurePeaks).
  const peaks = measurePeaks(pcm, { maxOverPositions: 0 });
  return {
    truePeakDbtp: peaks.truePeak.truePeakDbtp,
    samplePeakDbfs: peaks.samplePeakDbfs,
    sideToMidDb: stereo.sideToMidDb,
    correlation: stereo.correlation,
  };
}
