import { test } from 'node:test';
import assert from 'node:assert/strict';
import { processSaturation, softClip } from './saturation';
import { saturationKernel } from './simd/saturationKernel';

const fs = 44100;

/** Power of x at frequency f (Blackman-Harris windowed DFT), relative units. */
function tonePower(x: Float64Array, f: number): number {
  let re = 0, im = 0;
  const n = x.length;
  for (let i = 0; i < n; i++) {
    const t = (2 * Math.PI * i) / (n - 1);
    const w = 0.35875 - 0.48829 * Math.cos(t) + 0.14128 * Math.cos(2 * t) - 0.01168 * Math.cos(3 * t);
    const ph = (2 * Math.PI * f * i) / fs;
    re += w * x[i] * Math.cos(ph);
    im -= w * x[i] * Math.sin(ph);
  }
  return re * re + im * im;
}

const sine = (f: number, amp: number, n = 16384) => Float64Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * f * i) / fs));
const skip = (x: Float64Array) => x.subarray(2048);

test('the curve is odd, unity-slope at 0 and saturates smoothly at ±1', () => {
  assert.equal(softClip(0), 0);
  assert.ok(Math.abs(softClip(1e-4) / 1e-4 - 1) < 1e-6);
  assert.equal(softClip(5), 1);
  assert.equal(softClip(-0.5), -softClip(0.5));
  assert.ok(Math.abs(softClip(2.999999) - 1) < 1e-9);
});

test('THD rises with drive', () => {
  let prev = -Infinity;
  for (const driveDb of [3, 9, 15]) {
    const x = sine(1000, 0.5);
    processSaturation({ sampleRate: fs, channels: [x] }, { enabled: true, driveDb });
    const y = skip(x);
    const fund = tonePower(y, 1000);
    const h = tonePower(y, 3000) + tonePower(y, 5000) + tonePower(y, 7000);
    const thdDb = 10 * Math.log10(h / fund);
    assert.ok(thdDb > prev + 3, `THD at ${driveDb} dB drive: ${thdDb}`);
    prev = thdDb;
  }
  assert.ok(prev > -30, `15 dB drive should be clearly audible, THD ${prev}`);
});

test('a driven 15 kHz sine produces almost no aliases', () => {
  const x = sine(15000, 0.9);
  processSaturation({ sampleRate: fs, channels: [x] }, { enabled: true, driveDb: 12 });
  const y = skip(x);
  const fund = tonePower(y, 15000);
  // where the 3rd, 5th and 7th harmonics (45, 75, 105 kHz) would fold at 44.1 kHz
  const aliases = [900, 13200, 16200].map((f) => 10 * Math.log10(tonePower(y, f) / fund));
  for (const a of aliases) assert.ok(a < -70, `alias at ${a} dB`);
  // without oversampling the same curve aliases strongly (the test can fail)
  const naive = sine(15000, 0.9).map((v) => softClip(v * 3.98) / 3.98);
  const naiveAlias = 10 * Math.log10(tonePower(skip(naive), 900) / tonePower(skip(naive), 15000));
  assert.ok(naiveAlias > -50, `naive alias ${naiveAlias}`);
});

test('disabled or mix 0 leaves samples untouched; mix blends', () => {
  const x = sine(440, 0.8, 4096);
  const a = Float64Array.from(x);
  processSaturation({ sampleRate: fs, channels: [a] }, { enabled: false, driveDb: 20 });
  assert.deepEqual(a, x);
  processSaturation({ sampleRate: fs, channels: [a] }, { enabled: true, driveDb: 20, mix: 0 });
  assert.deepEqual(a, x);
});

test('the WebAssembly saturator gives exactly what the scalar oversampler and clipper give, for 1, 2 and 3 channels', () => {
  assert.ok(saturationKernel(), 'WebAssembly SIMD is missing here: the scalar path would run unnoticed');
  // Longer than one kernel block, with an odd tail, loud enough to clip hard and quiet enough to stay linear.
  const n = 20_000;
  let seed = 7;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  for (const channelCount of [1, 2, 3]) {
    for (const settings of [{ enabled: true, driveDb: 8, mix: 1 }, { enabled: true, driveDb: 3, mix: 0.4 }]) {
      const input = Array.from({ length: channelCount }, (_, c) => Float64Array.from({ length: n }, (_, i) => 0.9 * Math.sin(0.03 * (c + 1) * i) * (i % 5000 < 2500 ? 1 : 0.05) + 0.05 * rand()));
      const simd = { sampleRate: fs, channels: input.map((c) => c.slice()) };
      processSaturation(simd, settings);
      const scalar = { sampleRate: fs, channels: input.map((c) => c.slice()) };
      processSaturation(scalar, settings, { scalar: true });
      simd.channels.forEach((c, ch) => assert.deepEqual(c, scalar.channels[ch], `${channelCount} channels, ${JSON.stringify(settings)}`));
    }
  }
});
