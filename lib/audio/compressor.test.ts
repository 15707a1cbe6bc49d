import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compressorStaticGainDb, processCompressor } from './compressor';
import { syntheticProgram } from './testSignals';

const fs = 48000;

test('static curve: threshold, ratio and soft knee', () => {
  const band = { thresholdDb: -20, ratio: 4, kneeDb: 6 };
  assert.equal(compressorStaticGainDb(-40, band), 0);
  assert.equal(compressorStaticGainDb(-23, band), 0); // knee starts at T - W/2
  assert.ok(Math.abs(compressorStaticGainDb(-8, band) - -9) < 1e-12); // 12 dB over at 4:1 -> 3 dB over
  // knee midpoint: (1/R - 1) (W/2)^2 / (2W) = -0.75 * 9 / 12
  assert.ok(Math.abs(compressorStaticGainDb(-20, band) - -0.5625) < 1e-12);
  // continuous at the knee's upper end
  const a = compressorStaticGainDb(-17 - 1e-9, band);
  const b = compressorStaticGainDb(-17 + 1e-9, band);
  assert.ok(Math.abs(a - b) < 1e-6);
});

test('peak detector on steady levels follows the static curve', () => {
  for (const levelDb of [-30, -21, -18, -10, -3]) {
    const v = Math.pow(10, levelDb / 20);
    const x = new Float64Array(fs).fill(v);
    const settings = { thresholdDb: -20, ratio: 4, kneeDb: 6, attackMs: 5, releaseMs: 50, detector: 'peak' as const, makeupDb: 2 };
    processCompressor({ sampleRate: fs, channels: [x] }, settings);
    const outDb = 20 * Math.log10(x[fs - 1]);
    const expected = levelDb + compressorStaticGainDb(levelDb, settings) + 2;
    assert.ok(Math.abs(outDb - expected) < 1e-6, `${levelDb}: ${outDb} vs ${expected}`);
  }
});

test('attack and release time constants', () => {
  const attackMs = 20;
  const releaseMs = 200;
  const n = fs * 2;
  const x = new Float64Array(n);
  // -40 dB, then 0 dB from 0.5 s to 1 s, then -40 dB
  for (let i = 0; i < n; i++) x[i] = i >= fs / 2 && i < fs ? 1 : 0.01;
  const input = Float64Array.from(x);
  processCompressor({ sampleRate: fs, channels: [x] }, {
    thresholdDb: -20, ratio: 5, kneeDb: 0, attackMs, releaseMs, detector: 'peak',
  });
  const grDb = (i: number) => 20 * Math.log10(input[i] / x[i]);
  const full = 16; // 20 dB over at 5:1
  assert.ok(Math.abs(grDb(fs - 1) - full) < 0.01);
  const atAttack = grDb(fs / 2 + Math.round((attackMs * fs) / 1000));
  assert.ok(Math.abs(atAttack - full * (1 - Math.exp(-1))) < 0.2, `after one attack time: ${atAttack}`);
  const atRelease = grDb(fs + Math.round((releaseMs * fs) / 1000));
  assert.ok(Math.abs(atRelease - full * Math.exp(-1)) < 0.2, `after one release time: ${atRelease}`);
});

test('ratio 1 is bit-transparent, multiband sums back flat when bands do not compress', () => {
  const ch = syntheticProgram(fs, 1);
  const copy = ch.map((c) => Float64Array.from(c));
  const st = processCompressor({ sampleRate: fs, channels: ch }, { ratio: 1 });
  assert.deepEqual(ch, copy);
  assert.equal(st.bands[0].maxDb, 0);
  // high threshold: bands split and re-summed (allpass), energy unchanged
  const mb = processCompressor({ sampleRate: fs, channels: ch }, {
    multiband: { crossoverHz: [150, 3000], bands: [{ ratio: 2, thresholdDb: 0 }, { ratio: 2, thresholdDb: 0 }, { ratio: 2, thresholdDb: 0 }] },
  });
  assert.equal(mb.bands.length, 3);
  const e = (a: Float64Array) => a.reduce((s, v) => s + v * v, 0);
  for (let c = 0; c < 2; c++) assert.ok(Math.abs(10 * Math.log10(e(ch[c]) / e(copy[c]))) < 0.05);
  // a loud low band gets reduced more than the others
  const loud = processCompressor({ sampleRate: fs, channels: syntheticProgram(fs, 2) }, {
    multiband: { crossoverHz: [150, 3000], bands: [{ ratio: 4, thresholdDb: -30 }, { ratio: 4, thresholdDb: -30 }, { ratio: 4, thresholdDb: -30 }] },
  });
  assert.ok(loud.bands[0].meanDb > loud.bands[2].meanDb);
});
