import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measureDcOffset } from './dcOffset';

test('DC offset: signed mean, in dBFS', () => {
  const n = 48000;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * 100 * i) / 48000) - 0.01;
  const r = measureDcOffset({ sampleRate: 48000, channels: [x, new Float32Array(n)] });
  assert.ok(Math.abs(r.channelMean[0] + 0.01) < 1e-6);
  assert.ok(Math.abs(r.channelMeanDbfs[0] + 40) < 0.001);
  assert.equal(r.channelMeanDbfs[1], -Infinity);
  assert.equal(r.maxDbfs, r.channelMeanDbfs[0]);
});
