import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cascadeResponseDb, designBiquad, processBiquad, processCascade, type BiquadCoefficients } from './biquad';

const fs = 48000;
const resp = (c: BiquadCoefficients, f: number) => cascadeResponseDb([c], [f], fs)[0];
const near = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test('peak filter: full gain at centre, unity at DC and Nyquist', () => {
  const c = designBiquad({ type: 'peak', frequencyHz: 1000, gainDb: 6, q: 1 }, fs);
  near(resp(c, 1000), 6, 1e-9, 'centre');
  near(resp(c, 1e-3), 0, 1e-6, 'DC');
  near(resp(c, fs / 2), 0, 1e-6, 'Nyquist');
  const cut = designBiquad({ type: 'peak', frequencyHz: 3000, gainDb: -9, q: 2 }, fs);
  near(resp(cut, 3000), -9, 1e-9, 'cut centre');
});

test('shelves: full gain on their side, half gain at the corner', () => {
  const lo = designBiquad({ type: 'lowShelf', frequencyHz: 200, gainDb: 4, q: Math.SQRT1_2 }, fs);
  near(resp(lo, 0.01), 4, 1e-6, 'low shelf DC');
  near(resp(lo, 200), 2, 1e-9, 'low shelf corner');
  near(resp(lo, fs / 2), 0, 1e-6, 'low shelf Nyquist');
  const hi = designBiquad({ type: 'highShelf', frequencyHz: 8000, gainDb: -5, q: Math.SQRT1_2 }, fs);
  near(resp(hi, fs / 2), -5, 1e-6, 'high shelf Nyquist');
  near(resp(hi, 8000), -2.5, 1e-9, 'high shelf corner');
  near(resp(hi, 0.01), 0, 1e-6, 'high shelf DC');
});

test('Butterworth pass filters are -3.01 dB at the corner, allpass is flat', () => {
  const lp = designBiquad({ type: 'lowPass', frequencyHz: 5000, gainDb: 0, q: Math.SQRT1_2 }, fs);
  const hp = designBiquad({ type: 'highPass', frequencyHz: 50, gainDb: 0, q: Math.SQRT1_2 }, fs);
  near(resp(lp, 5000), -3.0103, 1e-3, 'LP corner');
  near(resp(hp, 50), -3.0103, 1e-3, 'HP corner');
  near(resp(lp, 0.001), 0, 1e-9, 'LP DC');
  // 2nd order: 12 dB/octave well above the corner
  const lp500 = designBiquad({ type: 'lowPass', frequencyHz: 200, gainDb: 0, q: Math.SQRT1_2 }, fs);
  near(resp(lp500, 3200) - resp(lp500, 1600), -12, 0.3, 'LP slope');
  assert.ok(resp(hp, fs / 2) > -1e-6 && resp(hp, 1) < -60);
  const ap = designBiquad({ type: 'allPass', frequencyHz: 700, gainDb: 0, q: Math.SQRT1_2 }, fs);
  for (const f of [10, 700, 5000, 20000]) near(resp(ap, f), 0, 1e-9, `allpass ${f}`);
});

test('filtering a sine matches the computed response', () => {
  const c = designBiquad({ type: 'peak', frequencyHz: 1000, gainDb: 6, q: 1 }, fs);
  const d = designBiquad({ type: 'highShelf', frequencyHz: 4000, gainDb: 3, q: Math.SQRT1_2 }, fs);
  for (const f of [300, 1000, 6000]) {
    const n = fs;
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = Math.sin((2 * Math.PI * f * i) / fs);
    const y = Float64Array.from(x);
    processCascade([c, d], y);
    let ex = 0, ey = 0;
    for (let i = n / 2; i < n; i++) { ex += x[i] * x[i]; ey += y[i] * y[i]; }
    near(10 * Math.log10(ey / ex), cascadeResponseDb([c, d], [f], fs)[0], 0.01, `sine ${f}`);
  }
  // single-section path gives the same as the fused pair path
  const x = new Float64Array(1000).map((_, i) => Math.sin(i * 0.3) + 0.2 * Math.cos(i * 1.7));
  const a = Float64Array.from(x);
  processBiquad(c, a);
  processBiquad(d, a);
  const b = Float64Array.from(x);
  processCascade([c, d], b);
  for (let i = 0; i < x.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-12);
});
