import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measurePeaks, TRUE_PEAK_BLOCK_FRAMES } from '@/lib/audio/truePeak';
import type { PcmAudio } from '@/lib/audio/types';
import { measureStereoOverTime } from '../analysis/stereo';
import { measureOutputLevels } from './outputLevels';

test('the stereo pass takes the peak search its block maxima on the way: the same peaks, bit for bit', () => {
  const sampleRate = 8000;
  // Windows of 60 s: three and a bit, the last partial; a length that is not a whole number of peak blocks.
  const n = 60 * sampleRate * 3 + 1237;
  let seed = 5;
  const next = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5);
  const left = Float64Array.from({ length: n }, (_, i) => 0.7 * Math.sin(i * 0.013) + 0.2 * next());
  const right = Float64Array.from({ length: n }, (_, i) => 0.5 * Math.sin(i * 0.013 + 0.4) + 0.3 * next() + (i === 123_457 ? 0.9 : 0));
  const pcm = { sampleRate, channels: [left, right] } as unknown as PcmAudio;
  const maxima = [left, right].map(() => new Float32Array(Math.ceil(n / TRUE_PEAK_BLOCK_FRAMES)));
  const withMaxima = measureStereoOverTime(pcm, 60, maxima);
  assert.deepEqual(withMaxima, measureStereoOverTime(pcm, 60));
  [left, right].forEach((x, c) => {
    for (let b = 0; b < maxima[c].length; b++) {
      const block = x.subarray(b * TRUE_PEAK_BLOCK_FRAMES, (b + 1) * TRUE_PEAK_BLOCK_FRAMES);
      assert.equal(maxima[c][b], Math.fround(Math.max(0, ...Array.from(block, Math.abs))), `channel ${c} block ${b}`);
    }
  });
  const levels = measureOutputLevels(pcm);
  const peaks = measurePeaks(pcm, { maxOverPositions: 0 });
  assert.equal(levels.truePeakDbtp, peaks.truePeak.truePeakDbtp);
  assert.equal(levels.samplePeakDbfs, peaks.samplePeakDbfs);
  assert.equal(levels.sideToMidDb, withMaxima.sideToMidDb);
  assert.ok(levels.truePeakDbtp > -3 && levels.truePeakDbtp < 3, `true peak ${levels.truePeakDbtp}`);
});
