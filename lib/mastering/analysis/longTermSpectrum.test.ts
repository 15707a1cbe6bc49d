import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fractionalOctaveBands, integrateBands, powerToDb } from './bands';
import { longTermSpectrum } from './longTermSpectrum';
import { pinkNoise, sine } from './testSignals';

const sampleRate = 44100;

test('a sine lands in the third-octave and sixth-octave band that contains it, at its mean-square level', async () => {
  for (const frequencyHz of [63, 440, 1000, 5000, 12000]) {
    const tone = sine(sampleRate * 3, sampleRate, frequencyHz, 0.5);
    const spectrum = await longTermSpectrum({ sampleRate, channels: [tone, tone] });
    for (const fraction of [3, 6]) {
      const bands = fractionalOctaveBands(fraction);
      const levels = Array.from(integrateBands(spectrum.midPower, spectrum.binHz, bands), powerToDb);
      const loudest = levels.indexOf(Math.max(...levels));
      assert.ok(bands.lowerHz[loudest] <= frequencyHz && frequencyHz < bands.upperHz[loudest], `${frequencyHz} Hz in band ${bands.centresHz[loudest]}`);
      // mean square of a 0.5 sine is 0.125 = -9.03 dB; nearly all of it in one band
      assert.ok(Math.abs(levels[loudest] - powerToDb(0.125)) < 0.5, `level ${levels[loudest]}`);
      const sidePower = integrateBands(spectrum.sidePower, spectrum.binHz, bands);
      assert.ok(Math.max(...sidePower) < 1e-10, 'identical channels have no side');
    }
  }
});

test('pink noise gives a flat third-octave LTAS', async () => {
  const noise = pinkNoise(sampleRate * 20, 0.3, 7);
  const spectrum = await longTermSpectrum({ sampleRate, channels: [noise] });
  const bands = fractionalOctaveBands(3, 40, 16000);
  const levels = Array.from(integrateBands(spectrum.midPower, spectrum.binHz, bands), powerToDb);
  const sorted = [...levels].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  for (let i = 0; i < levels.length; i++) {
    assert.ok(Math.abs(levels[i] - median) < 1.0, `${bands.centresHz[i].toFixed(0)} Hz: ${(levels[i] - median).toFixed(2)} dB off`);
  }
});

test('segment weighting drops zero-weight segments', async () => {
  const loud = sine(sampleRate * 4, sampleRate, 1000, 0.5);
  const quiet = sine(sampleRate * 4, sampleRate, 200, 0.5);
  const signal = new Float32Array(loud.length + quiet.length);
  signal.set(loud);
  signal.set(quiet, loud.length);
  const spectrum = await longTermSpectrum({ sampleRate, channels: [signal] }, { segmentWeight: (t) => (t < 3.5 ? 1 : 0) });
  const bands = fractionalOctaveBands(3);
  const levels = Array.from(integrateBands(spectrum.midPower, spectrum.binHz, bands), powerToDb);
  const at = (hz: number) => levels[bands.centresHz.findIndex((c, i) => bands.lowerHz[i] <= hz && hz < bands.upperHz[i])];
  assert.ok(at(1000) - at(200) > 40, `1 kHz ${at(1000)} vs 200 Hz ${at(200)}`);
});

test('the SIMD kernel gives bit-identical sums to the scalar functions: stereo, mono, weighted, a partial segment', async () => {
  const bits = (a: Float64Array) => Array.from(new BigUint64Array(a.buffer, a.byteOffset, a.length));
  let seed = 7;
  const noise = (n: number) => Float32Array.from({ length: n }, () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 0.8);
  const cases: { channels: Float32Array[]; options: Parameters<typeof longTermSpectrum>[1] }[] = [
    { channels: [noise(5 * 8192 + 123), noise(5 * 8192 + 123)], options: { segmentSize: 8192 } },
    { channels: [noise(70_001)], options: { segmentSize: 4096, segmentWeight: (t) => 0.25 + (t % 0.3) } },
    // Shorter than one segment: one zero-padded segment.
    { channels: [noise(3001), noise(3001)], options: { segmentSize: 4096 } },
  ];
  for (const { channels, options } of cases) {
    const simd = await longTermSpectrum({ sampleRate, channels }, options);
    const scalar = await longTermSpectrum({ sampleRate, channels }, { ...options, scalar: true });
    assert.equal(simd.segments, scalar.segments);
    assert.deepEqual(bits(simd.midPower), bits(scalar.midPower));
    assert.deepEqual(bits(simd.sidePower), bits(scalar.sidePower));
    assert.deepEqual(bits(simd.midSideCross), bits(scalar.midSideCross));
  }
});

test('a float64 render gives the spectrum of its float32 copy, bit for bit (the kernel rounds as it reads)', async () => {
  const bits = (a: Float64Array) => Array.from(new BigUint64Array(a.buffer, a.byteOffset, a.length));
  let seed = 11;
  // Values float32 cannot hold exactly, and some that round half-way differently in a wider type.
  const wide = (n: number) => Float64Array.from({ length: n }, () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 0.9 + 2 ** -40);
  for (const frames of [5 * 4096 + 77, 3001]) {
    const channels = [wide(frames), wide(frames)];
    const narrow = channels.map((c) => Float32Array.from(c));
    const fromWide = await longTermSpectrum({ sampleRate, channels: channels as unknown as Float32Array[] }, { segmentSize: 4096 });
    const fromNarrow = await longTermSpectrum({ sampleRate, channels: narrow }, { segmentSize: 4096 });
    assert.deepEqual(bits(fromWide.midPower), bits(fromNarrow.midPower));
    assert.deepEqual(bits(fromWide.sidePower), bits(fromNarrow.sidePower));
    assert.deepEqual(bits(fromWide.midSideCross), bits(fromNarrow.midSideCross));
  }
});
