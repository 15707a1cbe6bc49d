import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resample, resampledLength } from './resample';

interface Tone {
  hz: number;
  amplitude: number;
  phase: number;
}

function render(tones: Tone[], rate: number, frames: number): Float32Array {
  const out = new Float32Array(frames);
  for (const t of tones) {
    const w = (2 * Math.PI * t.hz) / rate;
    for (let i = 0; i < frames; i++) out[i] += t.amplitude * Math.sin(w * i + t.phase);
  }
  return out;
}

/** Least-squares amplitude and phase of one frequency over x[from, to). */
function fitTone(x: Float32Array, rate: number, hz: number, from: number, to: number) {
  const w = (2 * Math.PI * hz) / rate;
  let ss = 0;
  let sc = 0;
  let cc = 0;
  let xs = 0;
  let xc = 0;
  for (let i = from; i < to; i++) {
    const s = Math.sin(w * i);
    const c = Math.cos(w * i);
    ss += s * s;
    sc += s * c;
    cc += c * c;
    xs += x[i] * s;
    xc += x[i] * c;
  }
  const det = ss * cc - sc * sc;
  const a = (xs * cc - xc * sc) / det; // coefficient of sin
  const b = (xc * ss - xs * sc) / det; // coefficient of cos
  return { amplitude: Math.hypot(a, b), phase: Math.atan2(b, a) };
}

function rmsDb(x: Float32Array, from: number, to: number): number {
  let e = 0;
  for (let i = from; i < to; i++) e += x[i] * x[i];
  return 10 * Math.log10(e / (to - from) + 1e-300);
}

const PAIRS: [number, number][] = [
  [48000, 44100],
  [44100, 48000],
  [44100, 96000],
  [96000, 44100],
  [88200, 48000],
  [48000, 96000],
  [44100, 88200],
];

test('output length is round(inLength·out/in) for every supported pair and awkward lengths', () => {
  for (const [from, to] of PAIRS) {
    for (const frames of [0, 1, 2, 159, 160, 161, 4410, 48001, 100_003]) {
      const out = resample({ sampleRate: from, channels: [new Float32Array(frames)] }, to);
      assert.equal(out.channels[0].length, Math.round((frames * to) / from), `${from}->${to} ${frames}`);
      assert.equal(out.sampleRate, to);
    }
  }
  assert.equal(resampledLength(10_584_000 * 7, 44100, 48000), 80_640_000);
});

test('passband is flat within ±0.1 dB to 20 kHz and there is no time shift (phase preserved)', () => {
  for (const [from, to] of PAIRS) {
    const frames = Math.round(from * 0.5);
    const freqs = [20, 100, 1000, 5000, 10000, 15000, 18000, 19000, 19500, 20000];
    for (const hz of freqs) {
      const tone = { hz, amplitude: 0.5, phase: 0.3 };
      const out = resample({ sampleRate: from, channels: [render([tone], from, frames)] }, to).channels[0];
      // Skip the edges, where the kernel reads the zeros beyond the signal.
      const margin = Math.round(to * 0.05);
      const fit = fitTone(out, to, hz, margin, out.length - margin);
      const gainDb = 20 * Math.log10(fit.amplitude / tone.amplitude);
      assert.ok(Math.abs(gainDb) <= 0.1, `${from}->${to} @${hz} Hz: ${gainDb.toFixed(4)} dB`);
      let phaseError = fit.phase - tone.phase;
      phaseError = Math.atan2(Math.sin(phaseError), Math.cos(phaseError));
      // A delay of one output sample at 1 kHz would be 0.13 rad; we expect ~0.
      assert.ok(Math.abs(phaseError) < 1e-3, `${from}->${to} @${hz} Hz phase error ${phaseError}`);
    }
  }
});

test('a multitone resampled matches the same tones rendered at the output rate (< -90 dB error)', () => {
  const tones: Tone[] = [50, 440, 1234.5, 3000, 7777, 12000, 17500, 19900].map((hz, k) => ({
    hz,
    amplitude: 0.1,
    phase: k * 0.7,
  }));
  for (const [from, to] of PAIRS) {
    const seconds = 0.4;
    const out = resample({ sampleRate: from, channels: [render(tones, from, Math.round(from * seconds))] }, to)
      .channels[0];
    const reference = render(tones, to, out.length);
    const margin = Math.round(to * 0.05);
    const err = new Float32Array(out.length);
    for (let i = 0; i < out.length; i++) err[i] = out[i] - reference[i];
    const errDb = rmsDb(err, margin, out.length - margin) - rmsDb(reference, margin, out.length - margin);
    assert.ok(errDb < -90, `${from}->${to}: error ${errDb.toFixed(1)} dB`);
  }
});

test('cross-correlation of noise with its resampled round trip peaks at lag 0', () => {
  let s = 12345;
  const frames = 48000;
  const noise = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    noise[i] = (s >>> 0) / 4294967296 - 0.5;
  }
  // Band-limit first so the round trip is (nearly) lossless and the peak is sharp.
  const limited = resample(resample({ sampleRate: 48000, channels: [noise] }, 44100), 48000).channels[0];
  const back = resample(resample({ sampleRate: 48000, channels: [limited] }, 44100), 48000).channels[0];
  let bestLag = 0;
  let best = -Infinity;
  for (let lag = -5; lag <= 5; lag++) {
    let sum = 0;
    for (let i = 1000; i < frames - 1000; i++) sum += limited[i] * back[i + lag];
    if (sum > best) {
      best = sum;
      bestLag = lag;
    }
  }
  assert.equal(bestLag, 0);
});

test('a 23 kHz sine converted 48 → 44.1 kHz aliases below -100 dB', () => {
  const frames = 48000;
  const input = render([{ hz: 23000, amplitude: 1, phase: 0 }], 48000, frames);
  const out = resample({ sampleRate: 48000, channels: [input] }, 44100).channels[0];
  const margin = 4410;
  const level = rmsDb(out, margin, out.length - margin) - rmsDb(input, margin, frames - margin);
  assert.ok(level < -100, `alias at ${level.toFixed(1)} dB`);
});

test('images of a 21 kHz tone upsampled 44.1 → 96 kHz are below -100 dB', () => {
  const tone = { hz: 21000, amplitude: 1, phase: 0 };
  const out = resample({ sampleRate: 44100, channels: [render([tone], 44100, 44100)] }, 96000).channels[0];
  const margin = 9600;
  const fit = fitTone(out, 96000, 21000, margin, out.length - margin);
  const residual = new Float32Array(out.length);
  for (let i = 0; i < out.length; i++) {
    residual[i] = out[i] - fit.amplitude * Math.sin((2 * Math.PI * 21000 * i) / 96000 + fit.phase);
  }
  const level = rmsDb(residual, margin, out.length - margin) - 10 * Math.log10(0.5);
  assert.ok(level < -100, `images at ${level.toFixed(1)} dB`);
});

test('stereo channels are converted independently; same rate passes through', () => {
  const left = render([{ hz: 1000, amplitude: 0.5, phase: 0 }], 48000, 4800);
  const right = new Float32Array(4800);
  const out = resample({ sampleRate: 48000, channels: [left, right] }, 44100);
  assert.equal(out.channels.length, 2);
  assert.ok(out.channels[1].every((v) => v === 0));
  assert.ok(out.channels[0].some((v) => Math.abs(v) > 0.4));
  const same = { sampleRate: 44100, channels: [left] };
  assert.equal(resample(same, 44100), same);
});

test('an odd rate pair beyond the exact phase table (44 101 → 48 000) still converts accurately', () => {
  const tones: Tone[] = [{ hz: 1000, amplitude: 0.5, phase: 0.1 }, { hz: 15000, amplitude: 0.3, phase: 1 }];
  const out = resample({ sampleRate: 44101, channels: [render(tones, 44101, 22051)] }, 48000).channels[0];
  assert.equal(out.length, Math.round((22051 * 48000) / 44101));
  const reference = render(tones, 48000, out.length);
  const err = new Float32Array(out.length);
  for (let i = 0; i < out.length; i++) err[i] = out[i] - reference[i];
  const margin = 4800;
  const errDb = rmsDb(err, margin, out.length - margin) - rmsDb(reference, margin, out.length - margin);
  assert.ok(errDb < -90, `error ${errDb.toFixed(1)} dB`);
});

const DELIVERY_RATES = [44100, 48000, 88200, 96000];
const ALL_DELIVERY_PAIRS = DELIVERY_RATES.flatMap((from) => DELIVERY_RATES.filter((to) => to !== from).map((to): [number, number] => [from, to]));

test('every pair of delivery rates: flat within ±0.1 dB from 20 Hz to 20 kHz', () => {
  for (const [from, to] of ALL_DELIVERY_PAIRS) {
    const frames = Math.round(from * 0.25);
    const margin = Math.round(to * 0.05);
    for (const hz of [20, 1000, 10000, 16000, 18500, 19500, 20000]) {
      const out = resample({ sampleRate: from, channels: [render([{ hz, amplitude: 0.5, phase: 0 }], from, frames)] }, to).channels[0];
      const gainDb = 20 * Math.log10(fitTone(out, to, hz, margin, out.length - margin).amplitude / 0.5);
      assert.ok(Math.abs(gainDb) <= 0.1, `${from}->${to} @${hz} Hz: ${gainDb.toFixed(4)} dB`);
    }
  }
});

test('every downward pair of delivery rates: any tone above the output Nyquist leaves less than -100 dB behind', () => {
  for (const [from, to] of ALL_DELIVERY_PAIRS.filter(([a, b]) => b < a)) {
    const frames = Math.round(from * 0.25);
    const margin = Math.round(to * 0.05);
    // A sweep from just above the new Nyquist to just below the old one: whatever comes out is alias.
    const lo = to / 2 + 50;
    const hi = from / 2 - 50;
    for (let k = 0; k <= 40; k++) {
      const hz = lo + ((hi - lo) * k) / 40;
      const input = render([{ hz, amplitude: 1, phase: 0 }], from, frames);
      const out = resample({ sampleRate: from, channels: [input] }, to).channels[0];
      const level = rmsDb(out, margin, out.length - margin) - rmsDb(input, margin, frames - margin);
      assert.ok(level < -100, `${from}->${to}: a ${hz.toFixed(0)} Hz tone aliases at ${level.toFixed(1)} dB`);
    }
  }
});

test('every upward pair of delivery rates: images of tones up to 20 kHz stay below -100 dB', () => {
  for (const [from, to] of ALL_DELIVERY_PAIRS.filter(([a, b]) => b > a)) {
    const frames = Math.round(from * 0.25);
    const margin = Math.round(to * 0.05);
    for (const hz of [1000, 15000, 20000]) {
      const out = resample({ sampleRate: from, channels: [render([{ hz, amplitude: 1, phase: 0 }], from, frames)] }, to).channels[0];
      const fit = fitTone(out, to, hz, margin, out.length - margin);
      const residual = new Float32Array(out.length);
      for (let i = 0; i < out.length; i++) residual[i] = out[i] - fit.amplitude * Math.sin((2 * Math.PI * hz * i) / to + fit.phase);
      const level = rmsDb(residual, margin, out.length - margin) - 10 * Math.log10(0.5);
      assert.ok(level < -100, `${from}->${to}: images of ${hz} Hz at ${level.toFixed(1)} dB`);
    }
  }
});
