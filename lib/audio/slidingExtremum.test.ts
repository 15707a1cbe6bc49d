import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slidingMax, slidingMin, slidingMinSparse } from './slidingExtremum';

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

test('sparse sliding min equals the dense one, run by run', () => {
  let seed = 11;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (const [before, after, density] of [[0, 0, 0.3], [5, 2, 0.05], [40, 13, 0.01], [3, 30, 0.5], [7, 7, 0]]) {
    const n = 700;
    const x = new Float64Array(n).fill(1);
    const pos: number[] = [];
    const val: number[] = [];
    for (let i = 0; i < n; i++) {
      if (rnd() < density) {
        x[i] = rnd();
        pos.push(i);
        val.push(x[i]);
      }
    }
    const dense = slidingMin(x, before, after, 1);
    const sparse = new Float64Array(n).fill(NaN);
    let covered = 0;
    slidingMinSparse(Int32Array.from(pos), Float64Array.from(val), pos.length, n, before, after, 1, (s, e, v) => {
      assert.equal(s, covered, 'runs are contiguous and in order');
      assert.ok(e > s);
      sparse.fill(v, s, e);
      covered = e;
    });
    assert.equal(covered, n);
    assert.deepEqual(sparse, dense, `${before},${after},${density}`);
  }
});
