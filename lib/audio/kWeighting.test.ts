import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kWeightingCoefficients, kWeightingGainDb } from './kWeighting';

// ITU-R BS.1770-4 Tables 1 and 2 (48 kHz).
const TABLE_48K = {
  shelf: { b0: 1.53512485958697, b1: -2.69169618940638, b2: 1.19839281085285, a1: -1.69065929318241, a2: 0.73248077421585 },
  highPass: { b0: 1, b1: -2, b2: 1, a1: -1.99004745483398, a2: 0.99007225036621 },
};

test('48 kHz coefficients reproduce the BS.1770-4 table to 1e-8', () => {
  const k = kWeightingCoefficients(48000);
  for (const stage of ['shelf', 'highPass'] as const) {
    for (const c of ['b0', 'b1', 'b2', 'a1', 'a2'] as const) {
      const diff = Math.abs(k[stage][c] - TABLE_48K[stage][c]);
      assert.ok(diff < 1e-8, `${stage}.${c}: ${k[stage][c]} vs ${TABLE_48K[stage][c]}`);
    }
  }
});

test('the response is the same curve at other sample rates (bilinear warping stays small in the audible band)', () => {
  const ref = kWeightingCoefficients(48000);
  for (const fs of [44100, 88200, 96000, 192000, 32000]) {
    const k = kWeightingCoefficients(fs);
    for (const f of [20, 50, 100, 500, 1000, 2000, 5000, 10000]) {
      if (f > fs * 0.35) continue;
      const d = kWeightingGainDb(k, f, fs) - kWeightingGainDb(ref, f, 48000);
      assert.ok(Math.abs(d) < 0.05, `${fs} Hz at ${f} Hz differs by ${d.toFixed(4)} dB`);
    }
  }
});

test('K-weighting shape: about +0.7 dB at 1 kHz, +4 dB shelf at high frequencies, cut at low ones', () => {
  const k = kWeightingCoefficients(48000);
  assert.ok(Math.abs(kWeightingGainDb(k, 997, 48000) - 0.691) < 0.01);
  assert.ok(Math.abs(kWeightingGainDb(k, 10000, 48000) - 4.0) < 0.2);
  assert.ok(kWeightingGainDb(k, 20, 48000) < -10);
});

test('rejects nonsense sample rates', () => {
  assert.throws(() => kWeightingCoefficients(0), RangeError);
  assert.throws(() => kWeightingCoefficients(Number.NaN), RangeError);
});
