import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convolveChannels, createFirConvolver } from './convolver';
import { designLinearPhaseFir } from './firDesign';

test('matches direct convolution (with and without latency), any length', async () => {
  let s = 3;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296 - 0.5);
  const h = Float64Array.from({ length: 301 }, rnd);
  for (const n of [1, 250, 5000, 40000]) {
    const x = Float64Array.from({ length: n }, rnd);
    for (const latency of [0, 150]) {
      const y = Float64Array.from(x);
      const conv = await createFirConvolver(h, latency);
      conv.process(y);
      conv.dispose();
      for (let i = 0; i < n; i += Math.max(1, Math.floor(n / 97))) {
        let ref = 0;
        for (let k = 0; k < h.length; k++) {
          const j = i + latency - k;
          if (j >= 0 && j < n) ref += h[k] * x[j];
        }
        assert.ok(Math.abs(y[i] - ref) < 1e-4, `n=${n} lat=${latency} i=${i}: ${y[i]} vs ${ref}`);
      }
    }
  }
});

test('linear-phase FIR with compensated latency: impulse in = impulse out at the same index', async () => {
  const fs = 44100;
  const h = designLinearPhaseFir({ frequenciesHz: [100], gainsDb: [0] }, fs);
  const n = 100000;
  for (const at of [0, 777, 50000, n - 1]) {
    const x = new Float64Array(n);
    x[at] = 1;
    await convolveChannels([x], h, (h.length - 1) / 2);
    let peak = 0;
    for (let i = 0; i < n; i++) if (Math.abs(x[i]) > Math.abs(x[peak])) peak = i;
    assert.equal(peak, at);
    assert.ok(Math.abs(x[at] - 1) < 1e-5);
    let rest = 0;
    for (let i = 0; i < n; i++) if (i !== at) rest = Math.max(rest, Math.abs(x[i]));
    assert.ok(rest < 1e-5, `residue ${rest}`);
  }
});
