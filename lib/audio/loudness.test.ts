import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LOUDNESS_TOLERANCE_LU, tech3341Cases } from './conformance/ebuTech3341';
import { LOUDNESS_RANGE_TOLERANCE_LU, tech3342Cases } from './conformance/ebuTech3342';
import { synthesize, tone } from './conformance/signals';
import { LoudnessMeter, measureLoudness, peakToLoudnessRatioDb } from './loudness';

function near(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual.toFixed(3)}, expected ${expected} ±${tolerance}`);
}

for (const sampleRate of [48000, 44100]) {
  test(`EBU Tech 3341 loudness cases at ${sampleRate} Hz`, () => {
    for (const c of tech3341Cases(sampleRate)) {
      const e = c.expect;
      if (e.truePeakDbtp !== undefined) continue;
      const what = `case ${c.id} (${c.description})`;
      if (e.shortTermMaxSteps || e.momentaryMaxSteps) {
        const meter = new LoudnessMeter(sampleRate, 2);
        const steps = e.shortTermMaxSteps ?? e.momentaryMaxSteps ?? [];
        let from = 0;
        for (const step of steps) {
          const to = Math.round(step.endSeconds * sampleRate);
          meter.addFrames(c.signal.channels, from, to);
          from = to;
          const got = e.shortTermMaxSteps ? meter.shortTermMaxLufs() : meter.momentaryMaxLufs();
          near(got, step.lufs, LOUDNESS_TOLERANCE_LU, `${what} step ${step.lufs}`);
        }
        continue;
      }
      const r = measureLoudness(c.signal);
      if (e.integratedLufs !== undefined) near(r.integratedLufs, e.integratedLufs, LOUDNESS_TOLERANCE_LU, `${what} I`);
      if (e.shortTermMaxLufs !== undefined) near(r.shortTermMaxLufs, e.shortTermMaxLufs, LOUDNESS_TOLERANCE_LU, `${what} S max`);
      if (e.momentaryMaxLufs !== undefined) near(r.momentaryMaxLufs, e.momentaryMaxLufs, LOUDNESS_TOLERANCE_LU, `${what} M max`);
      if (e.shortTermConstantLufs !== undefined) {
        const { lufs, hopSeconds } = r.shortTermCurve;
        const first = Math.ceil(3 / hopSeconds) - 1; // the first window that lies entirely inside the signal
        assert.ok(lufs.length > first + 10);
        for (let k = first; k < lufs.length; k++) near(lufs[k], e.shortTermConstantLufs, LOUDNESS_TOLERANCE_LU, `${what} S[${k}]`);
      }
      if (e.momentaryConstantLufs !== undefined) {
        const { lufs, hopSeconds } = r.momentaryCurve;
        const first = Math.ceil(1 / hopSeconds) - 1;
        assert.ok(lufs.length > first + 10);
        for (let k = first; k < lufs.length; k++) near(lufs[k], e.momentaryConstantLufs, LOUDNESS_TOLERANCE_LU, `${what} M[${k}]`);
      }
    }
  });

  test(`EBU Tech 3342 loudness range cases 1-4 at ${sampleRate} Hz (within 0.1 LU, the spec allows 1)`, () => {
    for (const c of tech3342Cases(sampleRate)) {
      const r = measureLoudness(c.signal);
      near(r.loudnessRangeLu, c.expectLoudnessRangeLu, Math.min(0.1, LOUDNESS_RANGE_TOLERANCE_LU), `3342 case ${c.id}`);
    }
  });
}

test('EBU Tech 3341 case 1 across the rates the decoder accepts, 8 kHz to 384 kHz (K-weighting derived per rate)', () => {
  for (const sampleRate of [8000, 11025, 16000, 32000, 96000, 192000, 384000]) {
    for (const c of tech3341Cases(sampleRate).filter((x) => x.id === '1')) {
      const r = measureLoudness(c.signal);
      const what = `case ${c.id} at ${sampleRate} Hz`;
      near(r.integratedLufs, c.expect.integratedLufs!, LOUDNESS_TOLERANCE_LU, `${what} I`);
      near(r.momentaryMaxLufs, c.expect.momentaryMaxLufs!, LOUDNESS_TOLERANCE_LU, `${what} M max`);
      near(r.shortTermMaxLufs, c.expect.shortTermMaxLufs!, LOUDNESS_TOLERANCE_LU, `${what} S max`);
    }
  }
});

test('feeding blocks of any size gives exactly the same result as one block', () => {
  const sampleRate = 44100;
  const { channels } = tech3342Cases(sampleRate)[3].signal;
  const whole = measureLoudness({ sampleRate, channels });
  const meter = new LoudnessMeter(sampleRate, 2);
  let pos = 0;
  let size = 1;
  while (pos < channels[0].length) {
    const end = Math.min(channels[0].length, pos + size);
    meter.addFrames(channels, pos, end);
    pos = end;
    size = (size * 7 + 13) % 9001; // irregular sizes, including tiny ones
  }
  const streamed = meter.result();
  assert.equal(streamed.integratedLufs, whole.integratedLufs);
  assert.equal(streamed.loudnessRangeLu, whole.loudnessRangeLu);
  assert.equal(streamed.momentaryMaxLufs, whole.momentaryMaxLufs);
  assert.deepEqual(streamed.shortTermCurve.lufs, whole.shortTermCurve.lufs);
});

test('a sub-block cut between two feeds sums as one: the same figures to the last bit, kernel and scalar', () => {
  // A loud stereo sweep: with each feed's partial sums added afterwards (as this meter once did), feeding it in
  // 16384-frame pieces (a decoder's) already changed the integrated loudness in its last bit.
  const sampleRate = 44100;
  const n = 2 * sampleRate;
  const left = new Float32Array(n);
  const right = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    const phase = ((2 * Math.PI * 30 * 2) / Math.log(600)) * (600 ** (t / 2) - 1);
    left[i] = 0.9 * Math.sin(phase);
    right[i] = 0.7 * Math.cos(phase);
  }
  for (const scalar of [false, true]) {
    const whole = new LoudnessMeter(sampleRate, 2, { scalar });
    whole.addFrames([left, right]);
    for (const sizes of [[16384], [100, 333, 8191, 7], [12345]]) {
      const meter = new LoudnessMeter(sampleRate, 2, { scalar });
      for (let k = 0, from = 0; from < n; k++) {
        const to = Math.min(n, from + sizes[k % sizes.length]);
        meter.addFrames([left, right], from, to);
        from = to;
      }
      assert.deepEqual(meter.result(), whole.result(), `${scalar ? 'scalar' : 'kernel'}, fed ${sizes.join(', ')}`);
    }
  }
});

test('float64 audio (a render, metered as it stands) reads the same through the kernel as through the scalar filters, to the last bit', () => {
  const sampleRate = 48000;
  const n = 3 * sampleRate + 123;
  // Values float32 cannot hold: a kernel reading them narrowed would differ.
  const left = Float64Array.from({ length: n }, (_, i) => 0.6 * Math.sin(i * 0.0123) + 0.3 * Math.sin(i * 0.731) + 1e-9 * Math.cos(i));
  const right = Float64Array.from({ length: n }, (_, i) => 0.5 * Math.sin(i * 0.0171 + 1) + 1e-9 * Math.sin(i * 3.1));
  const meterOf = (scalar: boolean, sizes: number[]) => {
    const meter = new LoudnessMeter(sampleRate, 2, { scalar });
    for (let k = 0, from = 0; from < n; k++) {
      const to = Math.min(n, from + sizes[k % sizes.length]);
      meter.addFrames([left, right] as unknown as Float32Array[], from, to);
      from = to;
    }
    return meter.result();
  };
  const scalar = meterOf(true, [n]);
  assert.deepEqual(meterOf(false, [n]), scalar);
  assert.deepEqual(meterOf(false, [777, 20000]), scalar);
  const narrowed = new LoudnessMeter(sampleRate, 2);
  narrowed.addFrames([Float32Array.from(left), Float32Array.from(right)]);
  assert.notEqual(narrowed.result().integratedLufs, scalar.integratedLufs, 'the test signal needs float64 precision');
});

test('float64 audio metered as float32 (a rendered probe) reads as its float32 copy does, to the last bit, stereo and mono', () => {
  const sampleRate = 44100;
  const n = 3 * sampleRate + 321;
  const left = Float64Array.from({ length: n }, (_, i) => 0.6 * Math.sin(i * 0.0123) + 0.3 * Math.sin(i * 0.731) + 1e-9 * Math.cos(i));
  const right = Float64Array.from({ length: n }, (_, i) => 0.5 * Math.sin(i * 0.0171 + 1) + 1e-9 * Math.sin(i * 3.1));
  for (const channels of [[left, right], [left]]) {
    const copy = new LoudnessMeter(sampleRate, channels.length);
    copy.addFrames(channels.map((c) => Float32Array.from(c)));
    const rounded = new LoudnessMeter(sampleRate, channels.length);
    // In two spans cut mid-sub-block, as a probe's segments are.
    rounded.addFramesAsFloat32(channels, 0, 70_001);
    rounded.addFramesAsFloat32(channels, 70_001, n);
    assert.deepEqual(rounded.result(), copy.result());
    const wide = new LoudnessMeter(sampleRate, channels.length);
    wide.addFrames(channels as unknown as Float32Array[]);
    assert.notEqual(wide.result().integratedLufs, copy.result().integratedLufs, 'the test signal needs float64 precision');
  }
});

test('silence reads -Infinity (null once serialised) and a zero loudness range', () => {
  const pcm = { sampleRate: 48000, channels: [new Float32Array(48000 * 5), new Float32Array(48000 * 5)] };
  const r = measureLoudness(pcm);
  assert.equal(r.integratedLufs, -Infinity);
  assert.equal(r.momentaryMaxLufs, -Infinity);
  assert.equal(r.shortTermMaxLufs, -Infinity);
  assert.equal(r.loudnessRangeLu, 0);
  assert.equal(r.shortTermCurve.lufs[20], -Infinity);
  assert.equal(JSON.parse(JSON.stringify({ i: r.integratedLufs })).i, null);
  assert.ok(Number.isNaN(peakToLoudnessRatioDb(-1, r.integratedLufs)));
});

test('shorter than one gating block: no integrated loudness, but a momentary estimate', () => {
  const r = measureLoudness(synthesize([tone(0.3, -23)], 48000));
  assert.equal(r.integratedLufs, -Infinity);
  assert.ok(r.momentaryMaxLufs < -23 && r.momentaryMaxLufs > -25);
});

test('mono is one channel (3 dB below the same sine on two), or dual mono on request', () => {
  const mono = synthesize([tone(10, -23)], 48000, 1);
  near(measureLoudness(mono).integratedLufs, -26.01, 0.02, 'mono');
  near(measureLoudness(mono, { dualMono: true }).integratedLufs, -23, 0.02, 'dual mono');
});

test('5.0 surround weights the rear channels by 1.41 and 5.1 ignores the LFE', () => {
  const five = synthesize([tone(10, -30)], 48000, 5);
  // 3 front channels at weight 1 plus 2 surrounds at 1.41: 10*log10(3 + 2.82) dB above one channel.
  near(measureLoudness(five).integratedLufs, -30 - 3.01 + 10 * Math.log10(3 + 2 * 1.41), 0.02, '5.0');
  const six = synthesize([tone(10, -30)], 48000, 6);
  near(measureLoudness(six).integratedLufs, measureLoudness(five).integratedLufs, 1e-9, '5.1');
  assert.throws(() => new LoudnessMeter(48000, 2, { channelWeights: [1] }), RangeError);
});

test('curves: 100 ms hop, one value per completed hop', () => {
  const r = measureLoudness(synthesize([tone(10.05, -20)], 44100));
  assert.equal(r.shortTermCurve.lufs.length, 100);
  near(r.shortTermCurve.hopSeconds, 0.1, 1e-12, 'hop');
  near(r.shortTermCurve.windowSeconds, 3, 1e-12, 'window');
  near(r.shortTermCurve.lufs[99], -20, 0.02, 'last short-term value');
  near(r.shortTermCurve.lufs[9], -20 + 10 * Math.log10(1 / 3), 0.05, 'zero-padded first second');
  near(peakToLoudnessRatioDb(-1, r.integratedLufs), 19, 0.02, 'PLR');
});

test('stereo through the SIMD kernel measures bit for bit as the scalar filters and as in one piece, however the signal is fed', () => {
  const sampleRate = 44100;
  const n = 3 * 16384 + 4321;
  let s = 5;
  const noise = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
  const left = Float32Array.from({ length: n }, (_, i) => 0.5 * noise() + 0.3 * Math.sin(i / 20));
  const right = Float32Array.from({ length: n }, (_, i) => 0.4 * noise() + 0.2 * Math.sin(i / 7));
  // A stretch of silence: the filter state decays into the range the meter flushes to zero.
  left.fill(0, 20000, 40000);
  right.fill(0, 20000, 40000);
  const feeds = [[n], [100, 441, 440, 16384, 16385, 17000], [16384, 16384], [1, 2, 3, 50000], [8191, 8193, 12345, 7]];
  let whole: ReturnType<LoudnessMeter['result']> | undefined;
  for (const feed of feeds) {
    const kernel = new LoudnessMeter(sampleRate, 2);
    const scalar = new LoudnessMeter(sampleRate, 2, { scalar: true });
    let from = 0;
    for (const size of [...feed, n]) {
      const to = Math.min(n, from + size);
      kernel.addFrames([left, right], from, to);
      scalar.addFrames([left, right], from, to);
      from = to;
      if (from === n) break;
    }
    assert.deepEqual(kernel.result(), scalar.result(), `fed ${feed.join(', ')}`);
    // And however it is cut, the same as in one piece: a decoder's chunking must not show in the figures.
    whole ??= kernel.result();
    assert.deepEqual(kernel.result(), whole, `fed ${feed.join(', ')}, against one piece`);
  }
});
