import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toWorkingAudio } from '@/lib/audio/workingAudio';
import { syntheticMix } from '../match/testSignals';
import { integrateBands } from './bands';
import { longTermSpectrum } from './longTermSpectrum';
import { segmentBandsAt } from './segmentBands';
import { TONAL_BANDS, TONAL_BANDS_AND_OUTSIDE } from './tonalDistance';

test('segment band powers add up to the long-term spectrum, and an excerpt measured again gives the same values', async () => {
  const mix = syntheticMix({ seconds: 12, darkness: 0.4, dynamicsDb: 12, seed: 5 });
  const spectrum = await longTermSpectrum(mix, { segmentBands: TONAL_BANDS_AND_OUTSIDE });
  const bands = spectrum.segmentBands!;
  assert.equal(bands.count, spectrum.segments);
  assert.equal(bands.bandCount, TONAL_BANDS.centresHz.length + 2);
  // Summed over the segments, each tonal band is the long-term spectrum's band power on one scale (the transform's,
  // not the Welch average's): the same ratio in every band, for mid and for side.
  for (const [perSegment, longTerm] of [
    [bands.mid, spectrum.midPower],
    [bands.side, spectrum.sidePower],
  ] as const) {
    const integrated = integrateBands(longTerm, spectrum.binHz, TONAL_BANDS);
    const ratios = TONAL_BANDS.centresHz.map((_, b) => {
      let sum = 0;
      for (let f = 0; f < bands.count; f++) sum += perSegment[f * bands.bandCount + b + 1];
      return sum / integrated[b];
    });
    for (const r of ratios) assert.ok(Math.abs(r / ratios[14] - 1) < 1e-4, JSON.stringify(ratios));
  }
  // The bands outside the tonal ones hold the rest: all of them together hold all the power.
  let total = 0;
  for (let i = 0; i < bands.mid.length; i++) total += bands.mid[i] + bands.side[i];
  let tonal = 0;
  for (let f = 0; f < bands.count; f++) for (let b = 1; b <= TONAL_BANDS.centresHz.length; b++) tonal += bands.mid[f * bands.bandCount + b] + bands.side[f * bands.bandCount + b];
  assert.ok(total > tonal * 1.0001, `${total} ${tonal}`);
  // Segments measured again where they start (as a rendered excerpt is measured): the same powers.
  const starts = [3, 7, 11].map((f) => f * bands.hopFrames);
  const again = await segmentBandsAt(toWorkingAudio(mix), starts, TONAL_BANDS_AND_OUTSIDE, bands.segmentFrames);
  starts.forEach((start, i) => {
    const f = start / bands.hopFrames;
    for (let b = 0; b < bands.bandCount; b++) {
      const expected = bands.mid[f * bands.bandCount + b];
      assert.ok(Math.abs(again.mid[i * bands.bandCount + b] - expected) <= 1e-4 * expected, `segment ${f} band ${b}`);
      const expectedSide = bands.side[f * bands.bandCount + b];
      assert.ok(Math.abs(again.side[i * bands.bandCount + b] - expectedSide) <= 1e-4 * expectedSide, `segment ${f} band ${b} side`);
    }
  });
});
