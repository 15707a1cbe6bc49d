import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dbToGain, dbToGainFast, narrowChannelInPlace, narrowInPlace, toPcmAudio, toWorkingAudio } from './workingAudio';

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

test('narrowing in place gives the float32 rounding of each sample times the gain, in the float64 memory, the rest spare', () => {
  const frames = 1001;
  const source = [Float64Array.from({ length: frames }, (_, i) => Math.sin(i * 0.37) * 0.8), Float64Array.from({ length: frames }, (_, i) => Math.cos(i * 0.11) * 0.6)];
  const gain = dbToGain(-0.37);
  for (const elsewhere of [false, true]) {
    const work = { sampleRate: 48000, channels: source.map((c) => Float64Array.from(c)) };
    const buffers = work.channels.map((c) => c.buffer);
    // The second channel narrowed on its own first, as another thread would.
    if (elsewhere) narrowChannelInPlace(work.channels[1], gain);
    const { pcm, spare } = narrowInPlace(work, gain, elsewhere ? 1 : undefined);
    assert.equal(work.channels.length, 0, 'the float64 view is given up');
    pcm.channels.forEach((c, ch) => {
      assert.equal(c.buffer, buffers[ch]);
      assert.deepEqual(c, Float32Array.from(source[ch], (v) => v * gain));
      assert.equal(spare[ch].buffer, buffers[ch]);
      assert.equal(spare[ch].byteOffset, frames * 4);
      assert.equal(spare[ch].byteLength, frames * 4);
    });
  }
  // Gain 1 leaves the samples as they are.
  const plain = narrowInPlace({ sampleRate: 48000, channels: [Float64Array.from(source[0])] });
  assert.deepEqual(plain.pcm.channels[0], Float32Array.from(source[0]));
});
