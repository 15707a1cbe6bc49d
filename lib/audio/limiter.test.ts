import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyLimiter, computeLimiterGain, limiterSettingsSchema, mergeInterSample, PositionList, processLimiter } from './limiter';
import { interSampleScreenKernel } from './simd/interSampleScreenKernel';
import { limiterGainKernel } from './simd/limiterGainKernel';
import { interSampleScreen, measureTruePeak, truePeakInterpolator } from './truePeak';
import { syntheticProgram } from './testSignals';
import { dbToGain, toPcmAudio } from './workingAudio';

const fs = 44100;

test('program pushed 10 dB: true peak and every sample stay at or below the ceiling', () => {
  for (const ceilingDbtp of [-1, -0.3]) {
    const channels = syntheticProgram(fs, 8);
    const before = measureTruePeak(toPcmAudio({ sampleRate: fs, channels }));
    const work = { sampleRate: fs, channels };
    const stats = processLimiter(work, { inputGainDb: 10, ceilingDbtp });
    const out = toPcmAudio(work);
    const tp = measureTruePeak(out);
    assert.ok(before.truePeakDbtp + 10 > ceilingDbtp + 4, 'the test really drives the limiter');
    assert.ok(tp.truePeakDbtp <= ceilingDbtp, `true peak ${tp.truePeakDbtp} dBTP > ${ceilingDbtp}`);
    const c = dbToGain(ceilingDbtp);
    for (const ch of out.channels) for (const v of ch) assert.ok(Math.abs(v) <= c, `sample ${v} over ${c}`);
    assert.ok(tp.truePeakDbtp > ceilingDbtp - 0.3, `limiter should reach near the ceiling, got ${tp.truePeakDbtp}`);
    assert.ok(stats.gainReduction.maxDb > 5 && stats.gainReduction.percentOver1Db > 10);
    assert.equal(stats.gainReduction.histogramPercent.length, stats.gainReduction.histogramEdgesDb.length + 1);
  }
});

test('inter-sample peaks are caught: a fs/4 sine with phase offset', () => {
  // samples of sin(pi/2 n + pi/4) sit at 0.707 of the true amplitude
  const n = fs;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.sin((Math.PI / 2) * i + Math.PI / 4);
  const { audio } = applyLimiter({ sampleRate: fs, channels: [Float32Array.from(x)] }, { ceilingDbtp: -1 });
  const tp = measureTruePeak(audio).truePeakDbtp;
  assert.ok(tp <= -1 && tp > -1.3, `true peak ${tp}`);
});

test('below the ceiling the limiter is bit-transparent', () => {
  const channels = syntheticProgram(fs, 3).map((c) => Float32Array.from(c, (v) => v * 0.5));
  const tp = measureTruePeak({ sampleRate: fs, channels }).truePeakDbtp;
  const { audio, stats } = applyLimiter({ sampleRate: fs, channels }, { ceilingDbtp: Math.min(0, tp + 0.5) });
  assert.equal(stats.gainReduction.maxDb, 0);
  for (let c = 0; c < 2; c++) assert.deepEqual(audio.channels[c], channels[c]);
});

test('sustained 40 Hz + kick: the gain does not follow bass cycles (ripple < 0.5 dB)', () => {
  const seconds = 6;
  const n = fs * seconds;
  const x = new Float64Array(n);
  const beat = fs / 2;
  for (let i = 0; i < n; i++) {
    const kt = (i % beat) / fs;
    x[i] = 0.8 * Math.sin((2 * Math.PI * 40 * i) / fs) + 0.6 * Math.exp(-kt * 20) * Math.sin(2 * Math.PI * 70 * kt);
  }
  const settings = limiterSettingsSchema.parse({ ceilingDbtp: -1, inputGainDb: 3 });
  const driven = x.map((v) => v * dbToGain(3));
  const gain = computeLimiterGain([driven], fs, settings);
  const gDb = Array.from(gain, (g) => 20 * Math.log10(g));
  // moderate reduction on the sustained part
  let minDb = 0;
  for (let i = fs; i < n; i++) minDb = Math.min(minDb, gDb[i]);
  assert.ok(minDb < -2 && minDb > -8, `reduction ${minDb}`);
  // ripple = deviation from a 100 ms moving average (what remains is what follows the 40/80 Hz cycles)
  const w = Math.round(0.05 * fs);
  let worst = 0;
  for (let i = fs + w; i < n - w; i += 7) {
    let s = 0;
    for (let k = i - w; k <= i + w; k += 3) s += gDb[k];
    const avg = s / Math.ceil((2 * w + 1) / 3);
    // skip the kick attack itself (a deliberate, non-periodic gain change)
    const kt = (i % beat) / fs;
    if (kt < 0.06 || kt > beat / fs - 0.06) continue;
    worst = Math.max(worst, Math.abs(gDb[i] - avg));
  }
  assert.ok(2 * worst < 0.5, `gain ripple ${2 * worst} dB peak-to-peak`);
  // the envelope between kicks must not oscillate at the bass rate: count direction changes in one beat
  let changes = 0;
  let prevSign = 0;
  for (let i = 3 * beat + Math.round(0.06 * fs); i < 4 * beat - Math.round(0.06 * fs); i++) {
    const d = gDb[i + 1] - gDb[i];
    const sg = Math.abs(d) < 1e-9 ? 0 : Math.sign(d);
    if (sg !== 0 && prevSign !== 0 && sg !== prevSign) changes++;
    if (sg !== 0) prevSign = sg;
  }
  assert.ok(changes <= 2, `gain changed direction ${changes} times within one beat`);
});

test('the WebAssembly screen and gain stage limit exactly as the scalar code: samples and statistics to the last bit', () => {
  assert.ok(interSampleScreenKernel(interSampleScreen(truePeakInterpolator(4)).centralTaps), 'WebAssembly SIMD is missing here: the scalar screen would run unnoticed');
  assert.ok(limiterGainKernel(), 'WebAssembly SIMD is missing here: the scalar gain stage would run unnoticed');
  let seed = 11;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  // Program material, a near-fs/4 tone whose samples sit below its inter-sample peaks, and noise bursts; longer than
  // one kernel call (8192 frames) with an odd tail, and a signal shorter than the filter's reach at both ends. The
  // quiet stretch lets a fast release settle completely (the gain stage's constant stretch).
  const program = (sampleRate: number, n: number, channelCount: number) =>
    Array.from({ length: channelCount }, (_, c) =>
      Float64Array.from({ length: n }, (_, i) => {
        const tone = 0.6 * Math.sin((Math.PI / 2) * i * 0.999 + Math.PI / 4 + c);
        const burst = i % 9000 < 3000 ? 0.5 * rand() : 0.05 * rand();
        if (i >= 16000 && i < 29000) return 0.01 * Math.sin(0.05 * i + c);
        return tone * (i % 20000 < 12000 ? 1 : 0.2) + burst + 0.3 * Math.sin((2 * Math.PI * 55 * i) / sampleRate);
      }),
    );
  for (const sampleRate of [44100, 48000]) {
    for (const [n, channelCount] of [[30_011, 2], [30_011, 1], [40, 2]] as const) {
      const fastRelease = { inputGainDb: 6, ceilingDbtp: -1, releaseMs: 1, slowReleaseMs: 10, slowAttackMs: 5 };
      for (const settings of [{ inputGainDb: 9, ceilingDbtp: -1 }, { inputGainDb: 2, ceilingDbtp: -0.1, holdMs: 5, lookaheadMs: 1 }, fastRelease]) {
        const input = program(sampleRate, n, channelCount);
        const simd = { sampleRate, channels: input.map((c) => c.slice()) };
        const scalar = { sampleRate, channels: input.map((c) => c.slice()) };
        const simdStats = processLimiter(simd, settings);
        const scalarStats = processLimiter(scalar, settings, { scalar: true });
        const label = `${sampleRate} Hz, ${n} frames, ${channelCount} channel(s), ${JSON.stringify(settings)}`;
        assert.deepEqual(simdStats, scalarStats, label);
        simd.channels.forEach((c, ch) => assert.deepEqual(c, scalar.channels[ch], label));
        if (n > 1000) assert.ok(simdStats.gainReduction.maxDb > 3, `${label}: the limiter really works`);
      }
    }
  }
});

test('the inter-sample needs merge into the sample needs in place: sorted, one entry per position, the smaller gain', () => {
  let seed = 5;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const target = 0.8;
  for (let round = 0; round < 50; round++) {
    const samples = new PositionList();
    const inter = new PositionList();
    const expected = new Map<number, number>();
    // Sparse and dense stretches, shared positions, either list empty now and then.
    const sampleDensity = round % 7 === 0 ? 0 : random();
    const interDensity = round % 5 === 0 ? 0 : random() * 0.5;
    for (let p = 0; p < 3000; p++) {
      if (random() < sampleDensity) {
        const g = 0.2 + 0.8 * random();
        samples.push(p, g);
        expected.set(p, g);
      }
      if (random() < interDensity) {
        const value = 0.5 + random();
        inter.push(p, value);
        const g = target / value;
        const had = expected.get(p);
        expected.set(p, had === undefined || g < had ? g : had);
      }
    }
    mergeInterSample(samples, inter, target);
    const want = [...expected].sort((a, b) => a[0] - b[0]);
    assert.equal(samples.count, want.length, `round ${round}: count`);
    for (let i = 0; i < want.length; i++) {
      assert.equal(samples.positions[i], want[i][0], `round ${round}: position ${i}`);
      assert.equal(samples.values[i], want[i][1], `round ${round}: value at ${want[i][0]}`);
    }
  }
});
