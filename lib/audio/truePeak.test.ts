import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TRUE_PEAK_TOLERANCE_DB, tech3341Cases } from './conformance/ebuTech3341';
import { synthesize, tone } from './conformance/signals';
import {
  interpolateAt,
  measurePeaks,
  measureTruePeak,
  oversamplingFactor,
  truePeakInterpolator,
  type TruePeakResult,
} from './truePeak';

/** The plain search: every phase after every sample, no pruning. */
function naiveTruePeak(x: Float32Array, sampleRate: number, overThreshold = 1) {
  const ip = truePeakInterpolator(oversamplingFactor(sampleRate));
  let peak = 0;
  for (let i = 0; i < x.length; i++) peak = Math.max(peak, Math.abs(x[i]));
  const overs: number[] = [];
  for (let i = 0; i < x.length - 1; i++) {
    let best = 0;
    let bestPhase = 0;
    for (let p = 1; p < ip.factor; p++) {
      const a = Math.abs(interpolateAt(x, i, ip.coefficients[p], ip.firstOffset));
      if (a > best) {
        best = a;
        bestPhase = p;
      }
    }
    peak = Math.max(peak, best);
    if (best > overThreshold && Math.abs(x[i]) <= overThreshold && Math.abs(x[i + 1]) <= overThreshold) {
      overs.push((i + bestPhase / ip.factor) / sampleRate);
    }
  }
  return { peak, overs };
}

/** Deterministic PRNG so failures reproduce. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function assertSameAsNaive(x: Float32Array, sampleRate: number, what: string): TruePeakResult {
  const fast = measureTruePeak({ sampleRate, channels: [x] }, { maxOverPositions: 1e6 });
  const slow = naiveTruePeak(x, sampleRate);
  assert.equal(fast.truePeakLinear, slow.peak, `${what}: peak`);
  assert.equal(fast.interSampleOverCount, slow.overs.length, `${what}: over count`);
  assert.deepEqual(
    fast.interSampleOvers.map((o) => o.timeSeconds),
    slow.overs,
    `${what}: over positions`,
  );
  return fast;
}

for (const sampleRate of [48000, 44100]) {
  test(`EBU Tech 3341 true-peak cases 15-19 at ${sampleRate} Hz`, () => {
    for (const c of tech3341Cases(sampleRate)) {
      const expected = c.expect.truePeakDbtp;
      if (expected === undefined) continue;
      const r = measureTruePeak(c.signal);
      assert.equal(r.oversampling, 4);
      const d = r.truePeakDbtp - expected;
      assert.ok(
        d <= TRUE_PEAK_TOLERANCE_DB.above && d >= -TRUE_PEAK_TOLERANCE_DB.below,
        `case ${c.id} (${c.description}): ${r.truePeakDbtp.toFixed(3)} dBTP, expected ${expected}`,
      );
    }
  });
}

test('case 19 (+3 dBTP from 0 dBFS samples) is reported as inter-sample overs at the right places', () => {
  const sampleRate = 48000;
  const c19 = tech3341Cases(sampleRate).find((c) => c.id === '19');
  assert.ok(c19);
  const r = assertSameAsNaive(c19.signal.channels[0], sampleRate, 'case 19');
  // Samples sit at ±1.0 (not over), every half period has its crest between two samples: about fs/2 overs a second.
  assert.ok(r.interSampleOverCount > 3 * 20000, `${r.interSampleOverCount} overs`);
  const mid = r.interSampleOvers.find((o) => o.timeSeconds > 1.5);
  assert.ok(mid && mid.timeSeconds < 1.5001, 'an over every crest, also mid-signal');
  assert.ok(mid.levelDbtp > 2.8 && mid.levelDbtp < 3.2, `${mid.levelDbtp} dBTP`);
  // Samples fall at 45, 135, 225 and 315 degrees, so every crest lies exactly halfway between two samples.
  const frac = (mid.timeSeconds * sampleRate) % 1;
  assert.ok(Math.abs(frac - 0.5) < 1e-6, `position fraction ${frac}`);
});

test('pruned search equals the plain search exactly on noise, transients and loud clipped material', () => {
  for (const sampleRate of [44100, 48000, 96000]) {
    const rand = lcg(sampleRate);
    const n = 30000;
    // White noise at several levels.
    for (const level of [0.05, 0.5, 0.99]) {
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++) x[i] = (rand() * 2 - 1) * level;
      assertSameAsNaive(x, sampleRate, `noise ${level} @${sampleRate}`);
    }
    // Sparse transients over quiet noise: alternating-sign clicks make big inter-sample peaks.
    const t = new Float32Array(n);
    for (let i = 0; i < n; i++) t[i] = (rand() * 2 - 1) * 0.01;
    for (let k = 0; k < 40; k++) {
      const at = Math.floor(rand() * (n - 4));
      t[at] = 0.95;
      t[at + 1] = -0.95;
      t[at + 2] = 0.9;
    }
    // And at the very edges, where the filter reads past the signal.
    t[0] = 0.97;
    t[n - 1] = -0.97;
    assertSameAsNaive(t, sampleRate, `transients @${sampleRate}`);
    // A "mastered" signal: loud tones hard-clipped at 0.98 plus noise.
    const m = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const v = 1.6 * Math.sin(i * 0.05) * Math.sin(i * 0.0007) + 0.3 * Math.sin(i * 0.9) + (rand() - 0.5) * 0.1;
      m[i] = Math.max(-0.98, Math.min(0.98, v));
    }
    assertSameAsNaive(m, sampleRate, `clipped @${sampleRate}`);
  }
});

test('oversampling factor by rate, and plain sample peak from 192 kHz', () => {
  assert.equal(oversamplingFactor(44100), 4);
  assert.equal(oversamplingFactor(96000), 2);
  assert.equal(oversamplingFactor(192000), 1);
  const x = new Float32Array([0, 0.5, -0.75, 0.25]);
  const r = measureTruePeak({ sampleRate: 192000, channels: [x] });
  assert.equal(r.truePeakLinear, 0.75);
  assert.equal(r.interSampleOverCount, 0);
});

test('per-channel figures, silence and the interpolator shape', () => {
  const left = synthesize([tone(1, -6)], 44100, 1).channels[0];
  const right = new Float32Array(left.length);
  const r = measureTruePeak({ sampleRate: 44100, channels: [left, right] });
  assert.ok(Math.abs(r.channelTruePeakDbtp[0] + 6) < 0.05);
  assert.equal(r.channelTruePeakDbtp[1], -Infinity);
  assert.equal(r.truePeakDbtp, r.channelTruePeakDbtp[0]);
  const ip = truePeakInterpolator(4);
  assert.equal(ip.tapsPerPhase * 4, 48); // 12 taps per branch, plus the identity branch
  for (let p = 1; p < 4; p++) {
    const dc = ip.coefficients[p].reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(dc - 1) < 0.002, `branch ${p} DC gain ${dc}`);
  }
});

test('measurePeaks: the true peak of measureTruePeak and the sample peak from the same pass (float32-rounded for float64)', () => {
  let seed = 7;
  const noise = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 31 - 1) * 0.8;
  const left = Float64Array.from({ length: 5000 }, noise);
  const right = Float64Array.from({ length: 5000 }, noise);
  right[3333] = -0.987654321012345;
  const pcm = { sampleRate: 44100, channels: [left, right] as unknown as Float32Array[] };
  const { truePeak, samplePeakDbfs } = measurePeaks(pcm);
  assert.deepEqual(truePeak, measureTruePeak(pcm));
  assert.equal(samplePeakDbfs, 20 * Math.log10(Math.fround(0.987654321012345)));
  const narrow = { sampleRate: 44100, channels: [Float32Array.from(left), Float32Array.from(right)] };
  assert.equal(measurePeaks(narrow).samplePeakDbfs, 20 * Math.log10(Math.fround(0.987654321012345)));
  assert.equal(measurePeaks({ sampleRate: 44100, channels: [new Float32Array(100)] }).samplePeakDbfs, -Infinity);
});
