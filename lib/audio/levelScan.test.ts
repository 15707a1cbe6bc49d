import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findClipping } from './clipping';
import { measureDcOffset } from './dcOffset';
import { LEVEL_SCAN_BLOCK, LevelScanner, SECOND_DIFFERENCE_BLOCK, scanLevels } from './levelScan';
import { computePeaks } from './peaks';
import { measureSamplePeak } from './samplePeak';
import type { PcmAudio } from './types';

function noisy(frames: number, seed: number, gain: number): Float32Array {
  const x = new Float32Array(frames);
  let s = seed >>> 0;
  for (let i = 0; i < frames; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = gain * (s / 2 ** 32 - 0.5) * 2 + 0.01 * Math.sin(i / 50);
  }
  return x;
}

/** Loud noise with flat tops on both rails, a silent second, a DC step and an odd length. */
function program(channels: 1 | 2): PcmAudio {
  const sampleRate = 8000;
  const frames = 3 * sampleRate + 1237;
  const out = [noisy(frames, 7, 0.8), noisy(frames, 99, 0.6)].slice(0, channels);
  for (const x of out) {
    x.fill(0, sampleRate, 2 * sampleRate); // a silent window: its stereo sums must be exactly zero
    for (let i = 100; i < 110; i++) x[i] = 1; // flat top across a 16-frame block edge (block 6/7)
    for (let i = 5000; i < 5002; i++) x[i] = -1; // too short to count
    for (let i = 7000; i < 7004; i++) x[i] = -1.2;
    x[frames - 1] = 1; // a run still open at the end (too short) and the peak's position
    x[frames - 2] = 1;
    x[frames - 3] = 1;
    for (let i = 2 * sampleRate; i < 2 * sampleRate + 500; i++) x[i] += 0.3;
  }
  out[0][20345] = 1.5; // the overall peak lies inside a block
  return { sampleRate, channels: out };
}

for (const channelCount of [1, 2] as const) {
  test(`fused scan equals the individual meters (${channelCount} channel${channelCount === 2 ? 's' : ''})`, () => {
    const pcm = program(channelCount);
    const scan = scanLevels(pcm, { clipping: { maxRuns: 3 } });
    assert.deepEqual(scan.samplePeak, measureSamplePeak(pcm));
    assert.deepEqual(scan.clipping, findClipping(pcm, { maxRuns: 3 }));
    assert.equal(scan.clipping.runCount, 3 * channelCount, 'flat tops at 100, 7000 and the end');
    assert.deepEqual(scan.peaks, computePeaks(pcm));
    const dc = measureDcOffset(pcm);
    scan.dcOffset.channelMean.forEach((mean, c) => assert.ok(Math.abs(mean - dc.channelMean[c]) <= 1e-12 * Math.max(1e-3, Math.abs(dc.channelMean[c]))));

    const [left, right = left] = pcm.channels;
    const n = left.length;
    for (let c = 0; c < channelCount; c++) {
      const x = pcm.channels[c];
      assert.equal(scan.blockAbsMax[c].length, Math.ceil(n / LEVEL_SCAN_BLOCK));
      for (let b = 0; b < scan.blockAbsMax[c].length; b++) {
        let m = 0;
        for (let i = b * LEVEL_SCAN_BLOCK; i < Math.min(n, (b + 1) * LEVEL_SCAN_BLOCK); i++) m = Math.max(m, Math.abs(x[i]));
        assert.equal(scan.blockAbsMax[c][b], Math.fround(m));
      }
      assert.equal(scan.secondDifferenceMax[c].length, Math.floor(n / SECOND_DIFFERENCE_BLOCK));
      for (let b = 0; b < scan.secondDifferenceMax[c].length; b++) {
        let m = 0;
        for (let i = Math.max(2, b * SECOND_DIFFERENCE_BLOCK); i < (b + 1) * SECOND_DIFFERENCE_BLOCK; i++) m = Math.max(m, Math.abs(x[i] - 2 * x[i - 1] + x[i - 2]));
        assert.equal(scan.secondDifferenceMax[c][b], Math.fround(m), `block ${b}`);
      }
    }
    const w = pcm.sampleRate;
    assert.equal(scan.stereo.lr.length, Math.ceil(n / w));
    for (let k = 0; k < scan.stereo.lr.length; k++) {
      let lr = 0;
      let ll = 0;
      let rr = 0;
      for (let i = k * w; i < Math.min(n, (k + 1) * w); i++) {
        lr += left[i] * right[i];
        ll += left[i] * left[i];
        rr += right[i] * right[i];
      }
      assert.ok(Math.abs(scan.stereo.lr[k] - lr) <= 1e-9 * Math.abs(ll + rr) && Math.abs(scan.stereo.ll[k] - ll) <= 1e-9 * ll && Math.abs(scan.stereo.rr[k] - rr) <= 1e-9 * rr, `window ${k}`);
    }
    assert.equal(scan.stereo.ll[1], 0);
    assert.equal(scan.stereo.lr[1], 0);
    assert.equal(scan.mono.length, Math.floor(n / 4));
    for (const o of [0, 1, 1000, scan.mono.length - 1]) {
      let acc = 0;
      for (let i = 4 * o; i < 4 * o + 4; i++) acc += left[i] + right[i];
      assert.equal(scan.mono[o], Math.fround(acc * 0.125));
    }
  });
}

test('fused scan handles an empty signal and a window shorter than a block', () => {
  const empty = scanLevels({ sampleRate: 44100, channels: [new Float32Array(0), new Float32Array(0)] });
  assert.equal(empty.samplePeak.samplePeakDbfs, -Infinity);
  assert.equal(empty.clipping.runCount, 0);
  assert.equal(empty.mono.length, 0);
  const x = Float32Array.from({ length: 50 }, (_, i) => (i % 7) / 10);
  const scan = scanLevels({ sampleRate: 100, channels: [x] }, { stereoWindowFrames: 10 });
  assert.equal(scan.stereo.ll.length, 5);
  for (let k = 0; k < 5; k++) {
    let ll = 0;
    for (let i = 10 * k; i < 10 * k + 10; i++) ll += x[i] * x[i];
    assert.ok(Math.abs(scan.stereo.ll[k] - ll) < 1e-12, `window ${k}`);
  }
});

for (const [channelCount, monoDecimation] of [[1, 3], [2, 3], [2, 4]] as const) {
  // Decimation by 4 is the kernel's (whole pieces) and the scalar code's (the rest) in turn.
  test(`fed in pieces through a sliding window, the scan gives exactly the whole-signal result (${channelCount} channel${channelCount === 2 ? 's' : ''}, mono decimated by ${monoDecimation})`, () => {
    const pcm = program(channelCount);
    const n = pcm.channels[0].length;
    const whole = scanLevels(pcm, { clipping: { maxRuns: 3 }, monoDecimation, stereoWindowFrames: 777 });
    // Piece ends at multiples of 16 frames of irregular size; each call sees only the frames from 300 before its start.
    // A too-small size guess makes the outputs grow as they go.
    const scanner = new LevelScanner(pcm.sampleRate, channelCount, { clipping: { maxRuns: 3 }, monoDecimation, stereoWindowFrames: 777, expectedFrames: 1000 });
    let from = 0;
    let k = 0;
    while (from + 16 * 40 < n) {
      const to = from + 16 * (1 + ((k++ * 37) % 40));
      const base = Math.max(0, from - 300);
      scanner.scan(pcm.channels.map((x) => x.subarray(base, to)), base, to);
      from = to;
    }
    const base = Math.max(0, from - 300);
    const pieces = scanner.finish(pcm.channels.map((x) => x.subarray(base, n)), base, n);
    assert.deepEqual(pieces, whole);
  });
}

for (const channelCount of [1, 2] as const) {
  test(`the SIMD kernel gives what the scalar code gives: extremes and second differences exactly, sums to rounding (${channelCount} channel${channelCount === 2 ? 's' : ''})`, () => {
    const pcm = program(channelCount);
    // What the comparisons in the kernel must pass over as the scalar ones do: NaN, signed zeros, infinities.
    for (const x of pcm.channels) {
      x[3000] = NaN;
      x[3001] = NaN;
      for (let i = 4000; i < 4016; i++) x[i] = NaN; // a whole block of NaN
      x[4100] = -0;
      x[4200] = Infinity;
      x[4300] = -Infinity;
    }
    // Longer than one kernel piece (16384 frames), and pieces not aligned to it.
    const options = { clipping: { maxRuns: 10 }, monoDecimation: 4, stereoWindowFrames: 1000 };
    const simd = scanLevels(pcm, options);
    const scalar = scanLevels(pcm, { ...options, scalar: true });
    for (const key of ['samplePeak', 'clipping', 'peaks', 'blockAbsMax', 'secondDifferenceMax', 'mono'] as const) {
      assert.deepEqual(simd[key], scalar[key], key);
    }
    simd.dcOffset.channelMean.forEach((mean, c) => assert.ok(Math.abs(mean - scalar.dcOffset.channelMean[c]) <= 1e-12 * Math.abs(scalar.dcOffset.channelMean[c]) || (Number.isNaN(mean) && Number.isNaN(scalar.dcOffset.channelMean[c])), `DC ${c}`));
    for (const key of ['lr', 'll', 'rr'] as const) {
      simd.stereo[key].forEach((v, k) => {
        const w = scalar.stereo[key][k];
        assert.ok(v === w || Math.abs(v - w) <= 1e-12 * Math.abs(w) || (Number.isNaN(v) && Number.isNaN(w)), `${key} window ${k}: ${v} vs ${w}`);
      });
    }
  });
}
