import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TONAL_BANDS, type TonalSpectrum } from '../analysis/tonalDistance';
import { curveFrequenciesHz, neutralSettings } from '../settings';
import type { EqLimits } from './derive';
import { eqLimitWarning } from './eqLimitWarning';

const centres = TONAL_BANDS.centresHz;
const frequenciesHz = curveFrequenciesHz();

function setup(curveAt: (f: number) => number, maxBoostAt: (f: number) => number) {
  const settings = neutralSettings();
  settings.eq.enabled = true;
  settings.eq.mode = 'curve';
  settings.eq.curve = { frequenciesHz, midDb: frequenciesHz.map(curveAt), sideDb: frequenciesHz.map(curveAt) };
  const limits: EqLimits = { frequenciesHz, midMaxBoostDb: frequenciesHz.map(maxBoostAt), sideMaxBoostDb: frequenciesHz.map(maxBoostAt), maxCutDb: 15, holdFromIndex: frequenciesHz.length };
  return { settings, limits };
}
const spectrum = (levelAt: (f: number) => number, lufs: number): TonalSpectrum => ({ centresHz: centres.slice(), levelsDb: centres.map((f) => levelAt(f) + lufs), integratedLufs: lufs });

test('names the range where the master stays far from the reference because the EQ is at its cut limit', () => {
  const { settings, limits } = setup((f) => (f > 4500 ? -15 : 0), () => 12);
  const reference = spectrum((f) => (f > 4500 ? -50 : -20), 0);
  const after = spectrum((f) => (f > 4500 ? -40 : -20), -12);
  const warning = eqLimitWarning(settings, limits, reference, after);
  assert.match(warning ?? '', /much less energy from 5\.0 kHz to 16 kHz than the mix: the EQ stops at its 15 dB cut, and the master stays up to 10\.0 dB above/);
});

test('names a boost held back where the mix has little content, and says nothing where the EQ had room', () => {
  const { settings, limits } = setup((f) => (f < 45 ? 3 : 0), (f) => (f < 45 ? 3 : 12));
  const reference = spectrum((f) => (f < 45 ? -10 : -20), 0);
  const after = spectrum((f) => (f < 45 ? -18 : -20), -9);
  assert.match(eqLimitWarning(settings, limits, reference, after) ?? '', /much more energy from 31 Hz to 39 Hz than the mix: the EQ boost is at its limit there .* up to 8\.0 dB below/);
  // The same miss with room left on the curve (a closed loop that stopped early, a user's edit): not the limit's doing.
  const roomy = setup(() => 0, () => 12);
  assert.equal(eqLimitWarning(roomy.settings, roomy.limits, reference, after), null);
  // Within 3 dB everywhere: nothing to say.
  assert.equal(eqLimitWarning(settings, limits, reference, spectrum((f) => (f < 45 ? -12 : -20), -9)), null);
});
