import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measureLoudness } from '@/lib/audio/loudness';
import { measureTonalSpectrum, TONAL_BANDS, tonalDistanceDb } from './tonalDistance';
import { pinkNoise, sine } from './testSignals';

const sampleRate = 44100;

test('tonal bands are the 28 specified third-octave bands', () => {
  assert.equal(TONAL_BANDS.centresHz.length, 28);
  assert.ok(Math.abs(TONAL_BANDS.centresHz[0] - 1000 * 2 ** -5) < 1e-9);
  assert.ok(Math.abs(TONAL_BANDS.centresHz[27] - 16000) < 1e-9);
});

test('tonal distance ignores gain but sees a tilt', async () => {
  const noise = pinkNoise(sampleRate * 10, 0.2, 3);
  const quieter = noise.map((v) => v * 0.25);
  const withTone = noise.map((v, i) => v + sine(1, sampleRate, 3000, 0.2, (2 * Math.PI * 3000 * i) / sampleRate)[0]);
  const measure = async (x: Float32Array) => measureTonalSpectrum({ sampleRate, channels: [x, x] }, measureLoudness({ sampleRate, channels: [x, x] }).integratedLufs);
  const reference = await measure(noise);
  assert.ok(tonalDistanceDb(reference, await measure(quieter)) < 0.05);
  const distance = tonalDistanceDb(reference, await measure(withTone));
  assert.ok(distance > 0.3, `distance ${distance}`);
});
