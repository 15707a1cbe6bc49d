import assert from 'node:assert/strict';
import { test } from 'node:test';
import { neutralSettings } from '../settings';
import { effectiveMidSideCurves } from './effectiveCurves';

test("in bands mode the side follows the mid when it has no bands of its own, and its own bands when it has", () => {
  const s = neutralSettings();
  s.eq.enabled = true;
  s.eq.mode = 'bands';
  s.eq.bands.mid = [{ type: 'highShelf', frequencyHz: 4000, gainDb: 3, q: 0.7 }];
  const follows = effectiveMidSideCurves(s);
  assert.deepEqual(follows.sideDb, follows.midDb);
  assert.ok(Math.max(...follows.midDb) > 2.5);
  s.eq.bands.side = [{ type: 'peak', frequencyHz: 200, gainDb: -4, q: 1 }];
  const own = effectiveMidSideCurves(s);
  const at = (curve: number[], f: number) => curve[s.eq.curve.frequenciesHz.findIndex((x) => x >= f)];
  assert.ok(at(own.sideDb, 200) < -3.5 && Math.abs(at(own.sideDb, 10000)) < 0.5, 'side shaped by its own band only');
  assert.ok(at(own.midDb, 10000) > 2.5);
});
