import assert from 'node:assert/strict';
import { test } from 'node:test';
import { designMidSideFir, processMidSideFir } from './midSideFir';

function noise(n: number, seed: number): Float64Array {
  let s = seed;
  return Float64Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  });
}

/** Direct convolution at one output index (delay compensated), mid/side formed from left/right. */
function directAt(left: Float64Array, right: Float64Array, h: { mid: Float64Array; side: Float64Array; delay: number }, t: number) {
  let m = 0;
  let s = 0;
  for (let j = 0; j < h.mid.length; j++) {
    const k = t + h.delay - j;
    if (k < 0 || k >= left.length) continue;
    m += h.mid[j] * 0.5 * (left[k] + right[k]);
    s += h.side[j] * 0.5 * (left[k] - right[k]);
  }
  return { l: m + s, r: m - s };
}

for (const phase of ['linear', 'minimum'] as const) {
  test(`in-place overlap-add equals direct mid/side convolution (${phase} phase)`, async () => {
    const fir = await designMidSideFir(
      { frequenciesHz: [20, 200, 2000, 20000], gainDb: [4, -3, 2, -6] },
      { frequenciesHz: [20, 500, 20000], gainDb: [-20, 3, 1] },
      44100,
      phase,
    );
    const n = 70000; // more than two blocks, not a multiple of the block size
    const left = noise(n, 1);
    const right = noise(n, 2);
    const work = { sampleRate: 44100, channels: [Float64Array.from(left), Float64Array.from(right)] };
    await processMidSideFir(work, fir);
    for (const t of [0, 1, 5000, 16385, 16386, 32771, 40000, n - 8192, n - 2, n - 1]) {
      const d = directAt(left, right, fir, t);
      assert.ok(Math.abs(work.channels[0][t] - d.l) < 1e-5, `left[${t}] ${work.channels[0][t]} vs ${d.l}`);
      assert.ok(Math.abs(work.channels[1][t] - d.r) < 1e-5, `right[${t}] ${work.channels[1][t]} vs ${d.r}`);
    }
  });
}

test('mono: the mid filter alone', async () => {
  const fir = await designMidSideFir({ frequenciesHz: [20, 20000], gainDb: [6, -6] }, { frequenciesHz: [20, 20000], gainDb: [0, 0] }, 44100, 'linear');
  const x = noise(40000, 3);
  const work = { sampleRate: 44100, channels: [Float64Array.from(x)] };
  await processMidSideFir(work, fir);
  for (const t of [0, 9000, 39999]) {
    let y = 0;
    for (let j = 0; j < fir.taps; j++) {
      const k = t + fir.delay - j;
      if (k >= 0 && k < x.length) y += fir.mid[j] * x[k];
    }
    assert.ok(Math.abs(work.channels[0][t] - y) < 1e-5);
  }
});

test('lengths at the edges of the overlap-add: shorter than the delay, and ending in a block of carried sums only', async () => {
  const fir = await designMidSideFir({ frequenciesHz: [20, 300, 20000], gainDb: [3, -4, 2] }, { frequenciesHz: [20, 20000], gainDb: [-6, 2] }, 44100, 'linear');
  const block = 4 * (fir.taps + 1) - fir.taps + 1;
  // 3000 frames: one block, every output from its sums; 2·block - 5000: the last block has no new input, only what
  // the one before carried into it (its outputs lie within the delay of the end).
  for (const n of [3000, 2 * block - 5000]) {
    const left = noise(n, 4);
    const right = noise(n, 5);
    const work = { sampleRate: 44100, channels: [Float64Array.from(left), Float64Array.from(right)] };
    await processMidSideFir(work, fir);
    for (const t of [0, 1, Math.floor(n / 2), n - fir.delay - 1, n - fir.delay, n - 2, n - 1].filter((t) => t >= 0 && t < n)) {
      const d = directAt(left, right, fir, t);
      assert.ok(Math.abs(work.channels[0][t] - d.l) < 1e-5, `n ${n}: left[${t}] ${work.channels[0][t]} vs ${d.l}`);
      assert.ok(Math.abs(work.channels[1][t] - d.r) < 1e-5, `n ${n}: right[${t}] ${work.channels[1][t]} vs ${d.r}`);
    }
  }
});
