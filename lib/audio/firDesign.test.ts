import { test } from 'node:test';
import assert from 'node:assert/strict';
import { curveGainDb, defaultFirTaps, designLinearPhaseFir, designMinimumPhaseFir, firResponseDb } from './firDesign';

const fs = 44100;
// a smooth "reference match" style curve: low shelf up, presence dip, air lift
const curve = {
  frequenciesHz: [20, 60, 150, 400, 1000, 2500, 5000, 10000, 16000, 20000],
  gainsDb: [3, 3.5, 2, 0.5, 0, -1.5, -1, 1, 2.5, 2],
};
const checkFreqs = [80, 120, 200, 300, 500, 700, 1000, 1500, 2500, 3500, 5000, 7000, 10000, 13000, 16000, 19000];

test('tap count scales with the rate and stays odd', () => {
  assert.equal(defaultFirTaps(44100), 4097);
  assert.equal(defaultFirTaps(48000) % 2, 1);
  assert.ok(Math.abs(defaultFirTaps(96000) - 8916) < 2);
});

test('linear-phase FIR matches a smooth target within 0.2 dB and is symmetric', () => {
  const h = designLinearPhaseFir(curve, fs);
  assert.equal(h.length, 4097);
  for (let i = 0; i < h.length; i++) assert.ok(Math.abs(h[i] - h[h.length - 1 - i]) < 1e-12);
  const resp = firResponseDb(h, checkFreqs, fs);
  checkFreqs.forEach((f, k) => {
    assert.ok(Math.abs(resp[k] - curveGainDb(curve, f)) < 0.2, `${f} Hz: ${resp[k]} vs ${curveGainDb(curve, f)}`);
  });
});

test('flat linear-phase FIR is a centred unit impulse', () => {
  const h = designLinearPhaseFir({ frequenciesHz: [1000], gainsDb: [0] }, fs, 257);
  assert.ok(Math.abs(h[128] - 1) < 1e-9);
  for (let i = 0; i < h.length; i++) if (i !== 128) assert.ok(Math.abs(h[i]) < 1e-9);
});

test('minimum-phase FIR matches the magnitude and has its energy up front', () => {
  const h = designMinimumPhaseFir(curve, fs);
  const resp = firResponseDb(h, checkFreqs, fs);
  checkFreqs.forEach((f, k) => {
    assert.ok(Math.abs(resp[k] - curveGainDb(curve, f)) < 0.2, `${f} Hz: ${resp[k]} vs ${curveGainDb(curve, f)}`);
  });
  let early = 0, total = 0;
  h.forEach((v, i) => {
    total += v * v;
    if (i < 64) early += v * v;
  });
  assert.ok(early / total > 0.95, `energy in the first 64 taps: ${early / total}`);
});
