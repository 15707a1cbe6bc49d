import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossoverBandResponses, designCrossover, splitBands } from './crossover';

const fs = 44100;

/** Magnitude in dB of a real signal's DTFT at one frequency. */
function dtftDb(x: Float64Array, f: number): number {
  let re = 0, im = 0;
  const w = (2 * Math.PI * f) / fs;
  for (let i = 0; i < x.length; i++) {
    re += x[i] * Math.cos(w * i);
    im -= x[i] * Math.sin(w * i);
  }
  return 10 * Math.log10(re * re + im * im);
}

for (const crossovers of [[1000], [120, 2500], [90, 800, 6000]]) {
  test(`${crossovers.length + 1}-band crossover sums flat within 0.01 dB`, () => {
    const design = designCrossover(crossovers, fs);
    const impulse = new Float64Array(32768);
    impulse[0] = 1;
    const bands = splitBands(impulse, design);
    assert.equal(bands.length, crossovers.length + 1);
    assert.equal(impulse[0], 1, 'input untouched');
    const sum = new Float64Array(impulse.length);
    for (const b of bands) for (let i = 0; i < sum.length; i++) sum[i] += b[i];
    for (const f of [20, 50, 90, 120, 500, 800, 1000, 2500, 6000, 10000, 18000]) {
      const db = dtftDb(sum, f);
      assert.ok(Math.abs(db) < 0.01, `sum at ${f} Hz: ${db} dB`);
    }
    // each band is -6 dB at its own crossover edges and dominant in its own middle
    const resp = crossoverBandResponses(design, crossovers[0]);
    const m0 = 20 * Math.log10(Math.hypot(...resp[0]));
    assert.ok(Math.abs(m0 + 6.02) < 0.05, `low band at first crossover ${m0}`);
    assert.ok(Math.abs(dtftDb(bands[0], crossovers[0]) - m0) < 0.01, 'filter matches computed response');
    assert.ok(dtftDb(bands[0], crossovers[0] * 8) < -60, 'low band rejects 3 octaves up');
  });
}
