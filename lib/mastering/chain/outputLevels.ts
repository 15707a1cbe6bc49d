/**
 * What a render's report needs besides its loudness and spectrum: true and sample peak, and the stereo image. All of
 * it either ignores the final gain (side-to-mid ratio, correlation) or moves with it by exactly that gain (the
 * peaks), so it is measured once per render, before the final gain, on the chain worker while the main thread meters
 * loudness and spectrum.
 */
import { measurePeaks, TRUE_PEAK_BLOCK_FRAMES } from '@/lib/audio/truePeak';
import type { PcmAudio } from '@/lib/audio/types';
import { measureStereoOverTime } from '../analysis/stereo';

export interface OutputLevels {
  truePeakDbtp: number;
  samplePeakDbfs: number;
  sideToMidDb: number;
  correlation: number;
}

export function measureOutputLevels(pcm: PcmAudio): OutputLevels {
  // A stereo render's peaks start from block maxima the stereo pass takes on its way (its one read of the render).
  const blockAbsMax = pcm.channels.length === 2 ? pcm.channels.map((c) => new Float32Array(Math.ceil(c.length / TRUE_PEAK_BLOCK_FRAMES))) : undefined;
  const stereo = measureStereoOverTime(pcm, 60, blockAbsMax);
  // One pass for both peaks (the sample peak of the float32 output this render becomes, see measurePeaks).
  const peaks = measurePeaks(pcm, { maxOverPositions: 0, blockAbsMax });
  return {
    truePeakDbtp: peaks.truePeak.truePeakDbtp,
    samplePeakDbfs: peaks.samplePeakDbfs,
    sideToMidDb: stereo.sideToMidDb,
    correlation: stereo.correlation,
  };
}
