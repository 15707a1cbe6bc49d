/**
 * EBU Tech 3342 loudness-range test signals 1-4 (stereo 1 kHz sines at stated levels, 20 s each), synthesised.
 * Cases 5 and 6 are authentic programme recordings and are not reproduced.
 */
import type { PcmAudio } from '../types';
import { synthesize, tone } from './signals';

export interface Tech3342Case {
  id: string;
  description: string;
  signal: PcmAudio;
  expectLoudnessRangeLu: number;
}

/** Tolerance of Tech 3342 for cases 1-4. */
export const LOUDNESS_RANGE_TOLERANCE_LU = 1;

export function tech3342Cases(sampleRate: number): Tech3342Case[] {
  const levels = (dbfs: number[]) => synthesize(dbfs.map((l) => tone(20, l)), sampleRate, 2);
  return [
    { id: '1', description: '-20 then -30 dBFS', signal: levels([-20, -30]), expectLoudnessRangeLu: 10 },
    { id: '2', description: '-20 then -15 dBFS', signal: levels([-20, -15]), expectLoudnessRangeLu: 5 },
    { id: '3', description: '-40 then -20 dBFS', signal: levels([-40, -20]), expectLoudnessRangeLu: 20 },
    {
      id: '4',
      description: '-50, -35, -20, -35, -50 dBFS',
      signal: levels([-50, -35, -20, -35, -50]),
      expectLoudnessRangeLu: 15,
    },
  ];
}
