import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dbToGain, dbToGainFast, toPcmAudio, toWorkingAudio } from './workingAudio';

test('dbToGainFast agrees with dbToGain to float rounding over the dynamics range', () => {
  let worst = 0;
  for (let db = -150; db <= 60; db += 0.0137) {
    const rel = Math.abs(dbToGainFast(db) / dbToGain(db) - 1);
    if (rel > worst) worst = rel;
  }
  // Math.exp(db / (20 / ln 10)) itself differs from Math.pow(10, db / 20) by up to 6e-15 over this range.
  assert.ok(worst < 5e-15, `worst relative error ${worst}`);
  assert.equal(dbToGainFast(0), 1);
  assert.equal(dbToGainFast(-Infinity), 0);
  assert.ok(Number.isNaN(dbToGainFast(NaN)));
});

test('float32 -> float64 -> float32 is exact', () => {
  const x = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 0.9);
  const back = toPcmAudio(toWorkingAudio({ sampleRate: 44100, channels: [x] }));
  assert.deepEqual(back.channels[0], x);
});
