import { test } from 'node:test';
import assert from 'node:assert/strict';
import FFT from 'fft.js';
import { noiseShapingCoefficients, quantize, type NoiseShaping } from './dither';

const SR = 44100;

/** Welch power spectrum (Hann, 50 % overlap), one value per bin up to Nyquist. */
function powerSpectrum(x: Float64Array, size = 1024): Float64Array {
  const fft = new FFT(size);
  const frame = new Array<number>(size).fill(0);
  const out = fft.createComplexArray() as number[];
  const psd = new Float64Array(size / 2 + 1);
  let count = 0;
  for (let start = 0; start + size <= x.length; start += size / 2) {
    for (let i = 0; i < size; i++) frame[i] = x[start + i] * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / size));
    fft.realTransform(out, frame);
    for (let k = 0; k <= size / 2; k++) psd[k] += out[2 * k] ** 2 + out[2 * k + 1] ** 2;
    count++;
  }
  for (let k = 0; k < psd.length; k++) psd[k] /= count;
  return psd;
}

function bandDb(psd: Float64Array, loHz: number, hiHz: number, size = 1024): number {
  const lo = Math.ceil((loHz / SR) * size);
  const hi = Math.floor((hiHz / SR) * size);
  let sum = 0;
  for (let k = lo; k <= hi; k++) sum += psd[k];
  return 10 * Math.log10(sum / (hi - lo + 1));
}

function quantisationError(input: Float32Array, shaping: NoiseShaping = 'none', seed = 1): Float64Array {
  const [codes] = quantize({ sampleRate: SR, channels: [input] }, 16, { dither: 'tpdf', noiseShaping: shaping, seed });
  const err = new Float64Array(input.length);
  for (let i = 0; i < input.length; i++) err[i] = codes[i] - input[i] * 32768;
  return err;
}

test('TPDF error has zero mean, 1/4 LSB² variance and ±1.5 LSB peak whatever the signal level', () => {
  for (const offsetLsb of [0, 0.25, 0.5, 0.75]) {
    // A slowly varying signal so every sub-LSB position is visited, offset to probe signal dependence.
    const n = 200_000;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = (offsetLsb + 40 * Math.sin(i * 0.001)) / 32768;
    const err = quantisationError(x);
    let mean = 0;
    let peak = 0;
    for (const e of err) {
      mean += e;
      peak = Math.max(peak, Math.abs(e));
    }
    mean /= n;
    let variance = 0;
    for (const e of err) variance += (e - mean) ** 2;
    variance /= n;
    assert.ok(Math.abs(mean) < 0.01, `mean ${mean} at offset ${offsetLsb}`);
    assert.ok(Math.abs(variance - 0.25) < 0.01, `variance ${variance} at offset ${offsetLsb}`);
    assert.ok(peak <= 1.5 + 1e-6, `peak ${peak}`);
  }
});

test('unshaped TPDF noise is white: every 2 kHz band within ±0.5 dB of the mean', () => {
  const n = 1 << 19;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = 0.25 * Math.sin((2 * Math.PI * 997 * i) / SR) + 0.1 * Math.sin(i * 0.37);
  const psd = powerSpectrum(quantisationError(x));
  const bands: number[] = [];
  for (let f = 500; f + 2000 <= 21500; f += 2000) bands.push(bandDb(psd, f, f + 2000));
  const mean = bands.reduce((a, b) => a + b, 0) / bands.length;
  for (const b of bands) assert.ok(Math.abs(b - mean) < 0.5, `band ${b.toFixed(2)} vs mean ${mean.toFixed(2)} dB`);
});

test('noise shaping lowers noise where hearing is most sensitive and follows the designed curve', () => {
  const n = 1 << 19;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = 0.2 * Math.sin((2 * Math.PI * 440 * i) / SR);
  const flat = powerSpectrum(quantisationError(x, 'none'));
  for (const shaping of ['lipshitz', 'f-weighted'] as const) {
    const shaped = powerSpectrum(quantisationError(x, shaping));
    const gainAt = (f: number) => bandDb(shaped, f - 500, f + 500) - bandDb(flat, f - 500, f + 500);
    assert.ok(gainAt(3500) < -8, `${shaping}: 3.5 kHz changed by ${gainAt(3500).toFixed(1)} dB`);
    assert.ok(gainAt(20000) > 8, `${shaping}: 20 kHz changed by ${gainAt(20000).toFixed(1)} dB`);
    // Measured shaping matches |1 − H(e^jw)|² of the coefficients.
    const h = noiseShapingCoefficients(shaping);
    for (const f of [1000, 3500, 8000, 15000]) {
      const w = (2 * Math.PI * f) / SR;
      let re = 1;
      let im = 0;
      h.forEach((c, k) => {
        re -= c * Math.cos(w * (k + 1));
        im += c * Math.sin(w * (k + 1));
      });
      const expected = 10 * Math.log10(re * re + im * im);
      const measured = bandDb(shaped, f - 100, f + 100) - bandDb(flat, f - 100, f + 100);
      assert.ok(Math.abs(measured - expected) < 1.5, `${shaping} @${f}: ${measured.toFixed(1)} vs ${expected.toFixed(1)}`);
    }
  }
});

test('a -100 dBFS sine survives 16-bit quantisation with TPDF but not without dither', () => {
  const n = SR * 4;
  const amplitude = 10 ** (-100 / 20);
  const f = 1000;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amplitude * Math.sin((2 * Math.PI * f * i) / SR);
  const [truncated] = quantize({ sampleRate: SR, channels: [x] }, 16, { dither: 'none' });
  assert.ok(truncated.every((v) => v === 0), 'undithered rounding of a 0.33 LSB sine is silence');
  const [dithered] = quantize({ sampleRate: SR, channels: [x] }, 16, { dither: 'tpdf', seed: 7 });
  // Project the output onto the sine: the tone is still there at its true level.
  let dot = 0;
  for (let i = 0; i < n; i++) dot += dithered[i] * Math.sin((2 * Math.PI * f * i) / SR);
  const recovered = (2 * dot) / n / 32768;
  assert.ok(Math.abs(20 * Math.log10(recovered) + 100) < 0.5, `recovered ${20 * Math.log10(recovered)} dBFS`);
});

test('seeded dither is reproducible, channels are decorrelated, full scale clips to the code range', () => {
  const x = new Float32Array(10_000).fill(0.1);
  const pcm = { sampleRate: SR, channels: [x, x] };
  const a = quantize(pcm, 24, { seed: 42 });
  const b = quantize(pcm, 24, { seed: 42 });
  const c = quantize(pcm, 24, { seed: 43 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a[0], c[0]);
  assert.notDeepEqual(a[0], a[1]);
  const [clip] = quantize({ sampleRate: SR, channels: [Float32Array.from([1, -1, 1.5, -2])] }, 16);
  assert.deepEqual(Array.from(clip), [32767, -32768, 32767, -32768]);
  // Shaped error feedback stays bounded on a full-scale square wave instead of running away.
  const square = Float32Array.from({ length: 4096 }, (_, i) => (i % 64 < 32 ? 1 : -1));
  const [shaped] = quantize({ sampleRate: SR, channels: [square] }, 16, { noiseShaping: 'f-weighted' });
  for (let i = 0; i < square.length; i++) assert.ok(Math.abs(shaped[i] - square[i] * 32767.5) < 64, `sample ${i}`);
  const [clip24] = quantize({ sampleRate: SR, channels: [Float32Array.from([1, -1])] }, 24);
  assert.deepEqual(Array.from(clip24), [8388607, -8388608]);
});
