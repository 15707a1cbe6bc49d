import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measureBandSideToMidDb, processStereoWidth } from './stereoWidth';

const fs = 44100;

function twoTones(n: number): Float64Array[] {
  // 100 Hz and 5 kHz, each with some side content (different L/R amplitudes)
  const l = new Float64Array(n), r = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = Math.sin((2 * Math.PI * 100 * i) / fs);
    const b = Math.sin((2 * Math.PI * 5000 * i) / fs);
    l[i] = 0.4 * a + 0.3 * b;
    r[i] = 0.2 * a + 0.1 * b;
  }
  return [l, r];
}

test('side gain per band changes each band\'s side/mid ratio by that amount', async () => {
  const ch = twoTones(fs * 2);
  const before = measureBandSideToMidDb({ sampleRate: fs, channels: ch }, [500]);
  await processStereoWidth({ sampleRate: fs, channels: ch }, { crossoverHz: [500], sideGainsDb: [-6, 3] });
  const after = measureBandSideToMidDb({ sampleRate: fs, channels: ch }, [500]);
  assert.ok(Math.abs(after[0] - before[0] + 6) < 0.3, `low band ${after[0] - before[0]}`);
  assert.ok(Math.abs(after[1] - before[1] - 3) < 0.3, `high band ${after[1] - before[1]}`);
});

test('mono below a frequency removes low side content, keeps mid aligned', async () => {
  const ch = twoTones(fs * 2);
  const mid0 = ch[0].map((v, i) => 0.5 * (v + ch[1][i]));
  await processStereoWidth({ sampleRate: fs, channels: ch }, { crossoverHz: [500], sideGainsDb: [0, 0], monoBelowHz: 300 });
  const r = measureBandSideToMidDb({ sampleRate: fs, channels: ch }, [500]);
  assert.ok(r[0] < -60, `low band side/mid ${r[0]}`);
  // mid untouched, sample-aligned
  for (let i = 0; i < ch[0].length; i += 101) assert.ok(Math.abs(0.5 * (ch[0][i] + ch[1][i]) - mid0[i]) < 1e-12);
});

test('neutral settings are bit-transparent', async () => {
  const ch = twoTones(4096);
  const copy = ch.map((c) => Float64Array.from(c));
  await processStereoWidth({ sampleRate: fs, channels: ch }, { crossoverHz: [200, 2000], sideGainsDb: [0, 0, 0] });
  assert.deepEqual(ch, copy);
});
