import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measurePeaks } from '@/lib/audio/truePeak';
import type { PcmAudio } from '@/lib/audio/types';
import { measureStereoOverTime } from '../analysis/stereo';
import { measureOutputLevels } from './outputLevels';

test('stereo output levels from one pass are the numbers of the separate peak and stereo passes, bit for bit', () => {
  const sampleRate = 8000;
  // Windows of 60 s: three and a bit, the last partial; a length that is not a whole number of peak blocks.
  const n = 60 * sampleRate * 3 + 1237;
  let seed = 5;
  const next = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5);
  const left = Float64Array.from({ length: n }, (_, i) => 0.7 * Math.sin(i * 0.013) + 0.2 * next());
  const right = Float64Array.from({ length: n }, (_, i) => 0.5 * Math.sin(i * 0.013 + 0.4) + 0.3 * next() + (i === 123_457 ? 0.9 : 0));
  const pcm = { sampleRate, channels: [left, right] } as unknown as PcmAudio;
  const fused = measureOutputLevels(pcm);
  const stereo = measureStereoOverTime(pcm, 60);
  const peaks = measurePeaks(pcm, { maxOverPositions: 0 });
  assert.equal(fused.truePeakDbtp, peaks.truePeak.truePeakDbtp);
  assert.equal(fused.samplePeakDbfs, peaks.samplePeakDbfs);
  assert.equal(fused.sideToMidDb, stereo.sideToMidDb);
  assert.equal(fused.correlation, stereo.correlation);
  assert.ok(fused.truePeakDbtp > -3 && fused.truePeakDbtp < 3, `true peak ${fused.truePeakDbtp}`);
});
