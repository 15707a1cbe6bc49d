import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computePeaks, deserializePeaks, peaksToWavesurferJson, serializePeaks } from './peaks';

test('peaks of a known ramp: exact min/max per pixel at every zoom level', () => {
  const frames = 16384 * 2 + 100;
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    left[i] = (i % 1024) / 1024 - 0.5; // sawtooth, period 1024
    right[i] = i === 5000 ? 1.5 : 0; // one spike, clipped to the rail in the overview
  }
  const peaks = computePeaks({ sampleRate: 44100, channels: [left, right] });
  assert.deepEqual(peaks.levels.map((l) => l.samplesPerPixel), [256, 1024, 4096, 16384]);
  const fine = peaks.levels[0];
  assert.equal(fine.length, Math.ceil(frames / 256));
  assert.equal(fine.channels[0][0], -0.5);
  assert.equal(fine.channels[0][1], 255 / 1024 - 0.5);
  assert.equal(fine.channels[1][2 * Math.floor(5000 / 256) + 1], 1);
  const coarse = peaks.levels[3];
  assert.equal(coarse.length, 3);
  assert.equal(coarse.channels[0][0], -0.5);
  assert.equal(coarse.channels[0][1], 1023 / 1024 - 0.5);
  assert.equal(coarse.channels[1][1], 1);
  assert.equal(coarse.channels[1][3], 0);
  // last partial pixel covers samples 32768..32867: saw values 0..99
  assert.equal(coarse.channels[0][5], 99 / 1024 - 0.5);
});

test('binary form round-trips within 16-bit resolution and JSON is wavesurfer-shaped', () => {
  const left = Float32Array.from({ length: 10000 }, (_, i) => Math.sin(i / 50) * 0.8);
  const peaks = computePeaks({ sampleRate: 48000, channels: [left] }, [100, 1000]);
  const bytes = serializePeaks(peaks);
  assert.equal(String.fromCharCode(...bytes.subarray(0, 4)), 'MRPK');
  const back = deserializePeaks(bytes);
  assert.equal(back.sampleRate, 48000);
  assert.equal(back.frames, 10000);
  for (let l = 0; l < 2; l++) {
    back.levels[l].channels[0].forEach((v, i) => assert.ok(Math.abs(v - peaks.levels[l].channels[0][i]) < 1 / 32767));
  }
  const json = peaksToWavesurferJson(peaks, 1000);
  assert.equal(json.peaks.length, 1);
  assert.equal(json.peaks[0].length, 20);
  assert.ok(Math.abs(json.duration - 10000 / 48000) < 1e-12);
  assert.throws(() => deserializePeaks(bytes.subarray(0, bytes.length - 2)));
});
