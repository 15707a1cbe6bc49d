import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measureSamplePeak } from './samplePeak';
import { measureTruePeak } from './truePeak';

test('sample peak per channel in dBFS, with its position; silence is -Infinity', () => {
  const a = new Float32Array([0, 0.25, -0.5, 0.5, 0]);
  const b = new Float32Array(5);
  const r = measureSamplePeak({ sampleRate: 48000, channels: [a, b] });
  assert.ok(Math.abs(r.channelSamplePeakDbfs[0] - 20 * Math.log10(0.5)) < 1e-12);
  assert.equal(r.channelPeakFrame[0], 2);
  assert.equal(r.channelSamplePeakDbfs[1], -Infinity);
  assert.equal(r.samplePeakDbfs, r.channelSamplePeakDbfs[0]);
  // True peak never reads below the sample peak (the interpolator's identity branch).
  assert.ok(measureTruePeak({ sampleRate: 48000, channels: [a, b] }).truePeakLinear >= 0.5);
});
