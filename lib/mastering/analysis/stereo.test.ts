import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fractionalOctaveBands } from './bands';
import { longTermSpectrum } from './longTermSpectrum';
import { measureStereoBands, measureStereoOverTime } from './stereo';
import { whiteNoise } from './testSignals';

const sampleRate = 44100;
const a = whiteNoise(sampleRate * 4, 0.3, 1);
const b = whiteNoise(sampleRate * 4, 0.3, 2);
const inverted = a.map((v) => -v);

test('correlation of identical, inverted and independent channels is 1, -1 and ~0', () => {
  assert.ok(Math.abs(measureStereoOverTime({ sampleRate, channels: [a, a] }).correlation - 1) < 1e-9);
  assert.ok(Math.abs(measureStereoOverTime({ sampleRate, channels: [a, inverted] }).correlation + 1) < 1e-9);
  assert.ok(Math.abs(measureStereoOverTime({ sampleRate, channels: [a, b] }).correlation) < 0.01);
});

test('per-band correlation and side/mid ratio follow the same three cases', async () => {
  const bands = fractionalOctaveBands(3, 100, 10000);
  const check = async (right: Float32Array, expected: number, tolerance: number) => {
    const result = measureStereoBands(await longTermSpectrum({ sampleRate, channels: [a, right] }), bands);
    for (const value of result.correlation) assert.ok(Math.abs(value - expected) < tolerance, `band correlation ${value}, expected ${expected}`);
    return result;
  };
  const same = await check(a, 1, 1e-6);
  assert.ok(same.sideToMidDb.every((v) => v < -100));
  const opposite = await check(inverted, -1, 1e-6);
  assert.ok(opposite.sideToMidDb.every((v) => v > 100));
  const independent = await check(b, 0, 0.15);
  assert.ok(independent.sideToMidDb.every((v) => Math.abs(v) < 1));
});

test('mono fold-down: 0 dB for identical channels, about -3 dB for independent ones', () => {
  assert.ok(Math.abs(measureStereoOverTime({ sampleRate, channels: [a, a] }).monoFoldDownDb) < 1e-6);
  assert.ok(Math.abs(measureStereoOverTime({ sampleRate, channels: [a, b] }).monoFoldDownDb + 3.01) < 0.1);
});
