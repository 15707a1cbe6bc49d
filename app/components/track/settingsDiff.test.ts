import assert from 'node:assert/strict';
import { test } from 'node:test';
import { neutralSettings } from '../../../lib/mastering/settings';
import { diffMeasurements, diffSettings } from './settingsDiff';

test('identical settings have no differences', () => {
  assert.deepEqual(diffSettings(neutralSettings(), neutralSettings()), []);
});

test('changed leaves are listed by path; a changed EQ curve is summarised by its largest change', () => {
  const a = neutralSettings();
  const b = neutralSettings({ targetLufs: -9 });
  b.dynamics.compressor.ratio = 2;
  b.eq.curve.midDb = b.eq.curve.midDb.map((_, i) => (i === 40 ? 3.5 : 0));
  b.eq.bands.mid.push({ type: 'peak', frequencyHz: 3000, gainDb: 2, q: 1 });
  const rows = diffSettings(a, b);
  const byPath = Object.fromEntries(rows.map((r) => [r.path, r]));
  assert.equal(byPath['loudness.targetLufs'].before, '-14');
  assert.equal(byPath['loudness.targetLufs'].after, '-9');
  assert.equal(byPath['dynamics.compressor.ratio'].after, '2');
  assert.equal(byPath['eq.curve.midDb'].after, 'max change 3.5 dB');
  assert.equal(byPath['eq.bands.mid[0].frequencyHz'].after, '3000');
  assert.equal(byPath['eq.bands.mid'].before, '(none)');
  assert.ok(!byPath['eq.curve.sideDb'], 'unchanged curve not listed');
});

test('measurement deltas are after minus before; missing figures give no delta', () => {
  const m = { integratedLufs: -20, loudnessRangeLu: 8, truePeakDbtp: -3, plrDb: 17, sideToMidDb: -10, correlation: 0.8, shortTermMaxLufs: -15 };
  const rows = diffMeasurements(m, { ...m, integratedLufs: -9.5, truePeakDbtp: null });
  assert.equal(rows[0].delta, 10.5);
  assert.equal(rows[2].delta, null);
  assert.equal(rows[1].delta, 0);
});
