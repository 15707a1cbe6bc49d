import assert from 'node:assert/strict';
import { test } from 'node:test';
import { missingContentWarning } from './report';

const centresHz = Array.from({ length: 28 }, (_, i) => 1000 * 2 ** ((i - 15) / 3));
const bands = (reference: (number | null)[], before: (number | null)[]) => ({ centresHz, referenceDbReLufs: reference, beforeDbReLufs: before, afterDbReLufs: before });

test('warns about bands the reference fills and the mix leaves empty, naming the range', () => {
  const reference = centresHz.map(() => -10);
  // The mix has nothing below 60 Hz (-70 dB re LUFS, 60 dB under its -10 dB bands).
  const mix = centresHz.map((f) => (f < 60 ? -70 : -10));
  const warning = missingContentWarning(bands(reference, mix));
  assert.ok(warning, 'a warning');
  assert.match(warning, /from 31 Hz to 50 Hz/);
  assert.match(warning, /up to 60 dB/);
});

test('no warning when the mix is merely quieter there, when the reference is empty too, or without a reference', () => {
  const reference = centresHz.map(() => -10);
  assert.equal(missingContentWarning(bands(reference, centresHz.map((f) => (f < 60 ? -30 : -10)))), null, '20 dB quieter is EQ territory');
  assert.equal(missingContentWarning(bands(centresHz.map((f) => (f < 60 ? -75 : -10)), centresHz.map((f) => (f < 60 ? -70 : -10)))), null);
  assert.equal(missingContentWarning(bands(centresHz.map(() => null), centresHz.map((f) => (f < 60 ? -70 : -10)))), null);
  assert.equal(missingContentWarning(bands(reference, centresHz.map(() => null))), null, 'a silent mix');
});
