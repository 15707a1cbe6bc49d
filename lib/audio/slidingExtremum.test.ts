import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slidingMax, slidingMin } from './slidingExtremum';

test('sliding min/max match a brute-force window', () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (const [before, after] of [[0, 0], [3, 0], [0, 5], [7, 2], [40, 13]]) {
    const x = Array.from({ length: 300 }, rnd);
    const mn = slidingMin(x, before, after, 2);
    const mx = slidingMax(x, before, after, -1);
    for (let i = 0; i < x.length; i++) {
      let a = 2, b = -1;
      for (let j = i - before; j <= i + after; j++) {
        const v = j >= 0 && j < x.length ? x[j] : undefined;
        a = Math.min(a, v ?? 2);
        b = Math.max(b, v ?? -1);
      }
      assert.equal(mn[i], a, `min ${before},${after} @${i}`);
      assert.equal(mx[i], b, `max ${before},${after} @${i}`);
    }
  }
});
