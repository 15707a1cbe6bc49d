import assert from 'node:assert/strict';
import { test } from 'node:test';
import { designBiquad, processBiquad } from '@/lib/audio/biquad';
import { convolveChannels } from '@/lib/audio/convolver';
import type { PcmAudio } from '@/lib/audio/types';
import { bandsResponseDb } from '../chain/effectiveCurves';
import { PLATFORM_TARGETS_LUFS } from '../settings';
import { deriveSettings } from './derive';
import { analyzeForMatch } from './matchAnalysis';
import { syntheticMix } from './testSignals';

/** A cascade of `order / 2` identical biquads of one type applied to every channel (filters signals for tests). */
function filtered(pcm: PcmAudio, type: 'highPass' | 'lowPass', frequencyHz: number, order: number): PcmAudio {
  const c = designBiquad({ type, frequencyHz, gainDb: 0, q: Math.SQRT1_2 }, pcm.sampleRate);
  return {
    sampleRate: pcm.sampleRate,
    channels: pcm.channels.map((ch) => {
      const x = Float64Array.from(ch);
      for (let s = 0; s < order / 2; s++) processBiquad(c, x);
      return Float32Array.from(x);
    }),
  };
}

/** A steep linear-phase low-pass (Blackman-windowed sinc, 511 taps: ~500 Hz transition, -74 dB stopband), the way a
 * lossy codec cuts the top octave off. */
async function brickWall(pcm: PcmAudio, cutoffHz: number): Promise<PcmAudio> {
  const taps = 511;
  const centre = (taps - 1) / 2;
  const fc = cutoffHz / pcm.sampleRate;
  const h = new Float64Array(taps);
  for (let i = 0; i < taps; i++) {
    const n = i - centre;
    const sinc = n === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * n) / (Math.PI * n);
    h[i] = sinc * (0.42 - 0.5 * Math.cos((2 * Math.PI * i) / (taps - 1)) + 0.08 * Math.cos((4 * Math.PI * i) / (taps - 1)));
  }
  const channels = pcm.channels.map((ch) => Float64Array.from(ch));
  await convolveChannels(channels, h, centre);
  return { sampleRate: pcm.sampleRate, channels: channels.map((ch) => Float32Array.from(ch)) };
}

const at = (freqs: number[], curve: number[], lo: number, hi: number) => curve.filter((_, i) => freqs[i] >= lo && freqs[i] <= hi);
const max = (values: number[]) => Math.max(...values);
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

test('EQ never boosts where the mix has no content (sub-bass the mix lacks), but does follow the reference elsewhere', async () => {
  // The mix is steeply high-passed at 150 Hz (48 dB/octave: nothing left at 40 Hz); the reference is bass-heavy.
  const mix = await analyzeForMatch(filtered(syntheticMix({ seconds: 12, darkness: 0.6 }), 'highPass', 150, 8));
  const reference = await analyzeForMatch(syntheticMix({ seconds: 12, darkness: 0.93, levelDb: -16, seed: 3 }));
  const { settings, reasons } = deriveSettings(mix, [{ analysis: reference, weight: 1 }]);
  const { frequenciesHz, midDb, sideDb } = settings.eq.curve;
  const refMinusMix = at(frequenciesHz, reference.fine.midDb.map((v, i) => v - mix.fine.midDb[i]), 20, 45);
  assert.ok(Math.min(...refMinusMix) > 30, `the reference is much stronger below 45 Hz (${Math.min(...refMinusMix).toFixed(1)} dB)`);
  assert.ok(max(at(frequenciesHz, midDb, 20, 45)) <= 0.01, `mid boost below 45 Hz: ${max(at(frequenciesHz, midDb, 20, 45))}`);
  assert.ok(max(at(frequenciesHz, sideDb, 20, 45)) <= 0.01, `side boost below 45 Hz: ${max(at(frequenciesHz, sideDb, 20, 45))}`);
  // The parametric bands (what an engineer reads) do not boost there either.
  assert.ok(max(at(frequenciesHz, bandsResponseDb(settings.eq.bands.mid, frequenciesHz), 20, 45)) < 1);
  // Where both have content, the darker reference does get its lows (200-400 Hz) raised relative to the highs.
  assert.ok(mean(at(frequenciesHz, midDb, 200, 400)) - mean(at(frequenciesHz, midDb, 4000, 8000)) > 3);
  assert.ok(reasons.some((r) => /little content/.test(r)), reasons.join(' | '));
});

test('EQ is held flat at a lossy reference\'s cutoff instead of following it down', async () => {
  const mix = await analyzeForMatch(syntheticMix({ seconds: 12, darkness: 0.3 }));
  for (const cutoffHz of [16000, 17500]) {
    // Same spectrum as the mix up to the cutoff, then nothing (a 128-192 kb/s MP3 or AAC).
    const reference = await analyzeForMatch(await brickWall(syntheticMix({ seconds: 12, darkness: 0.3, seed: 8, levelDb: -14 }), cutoffHz));
    const { settings, reasons } = deriveSettings(mix, [{ analysis: reference, weight: 1 }]);
    const { frequenciesHz, midDb } = settings.eq.curve;
    const top = at(frequenciesHz, midDb, cutoffHz * 0.8, 20500);
    assert.ok(Math.min(...top) > -1.5, `${cutoffHz} Hz cutoff: the curve dips to ${Math.min(...top).toFixed(1)} dB above ${cutoffHz * 0.8} Hz`);
    assert.ok(max(top) <= 1.5, 'and never boosts there');
    const reason = reasons.find((r) => /lossy codec/.test(r));
    assert.ok(reason, reasons.join(' | '));
    const said = Number(/above (\d+\.\d) kHz/.exec(reason)![1]) * 1000;
    assert.ok(Math.abs(said - cutoffHz) <= cutoffHz * 0.1, reason);
  }
});

test('matching only some aspects leaves the others neutral; amounts are stored as given', async () => {
  const mix = await analyzeForMatch(syntheticMix({ seconds: 16, darkness: 0.85, dynamicsDb: 14, sideDb: -14 }));
  const reference = await analyzeForMatch(syntheticMix({ seconds: 16, darkness: 0.3, dynamicsDb: 3, sideDb: -4, seed: 6, levelDb: -14 }));
  const all = deriveSettings(mix, [{ analysis: reference, weight: 1 }], { amounts: { eq: 0.25, dynamics: 0.5, width: 0.75 } }).settings;
  assert.ok(all.eq.enabled && all.dynamics.enabled && all.stereo.enabled);
  assert.deepEqual([all.eq.amount, all.dynamics.amount, all.stereo.amount], [0.25, 0.5, 0.75]);
  assert.ok(all.dynamics.compressor.ratio > 1.5, `ratio ${all.dynamics.compressor.ratio}`);
  assert.ok(all.stereo.sideGainDb.some((v) => v > 3), `width ${all.stereo.sideGainDb}`);

  const eqOnly = deriveSettings(mix, [{ analysis: reference, weight: 1 }], { match: { dynamics: false, stereo: false } }).settings;
  assert.ok(eqOnly.eq.enabled && !eqOnly.dynamics.enabled && !eqOnly.stereo.enabled);
  assert.deepEqual(eqOnly.eq.curve.midDb, all.eq.curve.midDb);

  const dynamicsOnly = deriveSettings(mix, [{ analysis: reference, weight: 1 }], { match: { eq: false, stereo: false } }).settings;
  assert.ok(!dynamicsOnly.eq.enabled && dynamicsOnly.dynamics.enabled && !dynamicsOnly.stereo.enabled);
  assert.ok(dynamicsOnly.eq.curve.midDb.every((v) => v === 0) && dynamicsOnly.eq.bands.mid.length === 0);
  assert.deepEqual(dynamicsOnly.dynamics.compressor, all.dynamics.compressor);

  const stereoOnly = deriveSettings(mix, [{ analysis: reference, weight: 1 }], { match: { eq: false, dynamics: false } }).settings;
  assert.ok(!stereoOnly.eq.enabled && !stereoOnly.dynamics.enabled && stereoOnly.stereo.enabled);
  assert.deepEqual(stereoOnly.stereo.sideGainDb, all.stereo.sideGainDb);
});

test('loudness target: the reference by default, every platform preset, a custom value; ceiling -1 dBTP by default', async () => {
  const mix = await analyzeForMatch(syntheticMix({ seconds: 10 }));
  const reference = await analyzeForMatch(syntheticMix({ seconds: 10, levelDb: -13, seed: 2 }));
  const refs = [{ analysis: reference, weight: 1 }];
  const byDefault = deriveSettings(mix, refs).settings.loudness;
  assert.equal(byDefault.source, 'reference');
  assert.ok(Math.abs(byDefault.targetLufs - reference.integratedLufs) < 0.01);
  assert.equal(byDefault.ceilingDbtp, -1);
  const expected = { spotify: -14, apple: -16, youtube: -14, tidal: -14, amazon: -14 } as const;
  for (const [platform, lufs] of Object.entries(expected)) {
    const l = deriveSettings(mix, refs, { target: { kind: 'platform', platform: platform as keyof typeof expected } }).settings.loudness;
    assert.equal(l.targetLufs, lufs, platform);
    assert.equal(l.platform, platform);
  }
  assert.ok(PLATFORM_TARGETS_LUFS.club > -10, 'club/loud is louder than streaming');
  const custom = deriveSettings(mix, refs, { target: { kind: 'custom', lufs: -9.5 }, ceilingDbtp: -0.3 }).settings.loudness;
  assert.deepEqual([custom.source, custom.targetLufs, custom.ceilingDbtp], ['custom', -9.5, -0.3]);
});

test('reference weights: the target and the curve move toward the heavier reference', async () => {
  const mix = await analyzeForMatch(syntheticMix({ seconds: 10, darkness: 0.6 }));
  const dark = await analyzeForMatch(syntheticMix({ seconds: 10, darkness: 0.9, levelDb: -20, seed: 4 }));
  const bright = await analyzeForMatch(syntheticMix({ seconds: 10, darkness: 0.2, levelDb: -10, seed: 5 }));
  const lean = (w: number) => deriveSettings(mix, [{ analysis: dark, weight: 1 }, { analysis: bright, weight: w }]).settings;
  const light = lean(0.1);
  const heavy = lean(10);
  assert.ok(heavy.loudness.targetLufs > light.loudness.targetLufs + 5, `${light.loudness.targetLufs} → ${heavy.loudness.targetLufs}`);
  const { frequenciesHz } = light.eq.curve;
  assert.ok(mean(at(frequenciesHz, heavy.eq.curve.midDb, 5000, 12000)) > mean(at(frequenciesHz, light.eq.curve.midDb, 5000, 12000)) + 3);
  assert.throws(() => deriveSettings(mix, [{ analysis: dark, weight: 0 }]), /weights/);
});

test('the parametric bands approximate the fine curve they summarise', async () => {
  const mix = await analyzeForMatch(syntheticMix({ seconds: 10, darkness: 0.85 }));
  const reference = await analyzeForMatch(syntheticMix({ seconds: 10, darkness: 0.25, seed: 9 }));
  const { settings } = deriveSettings(mix, [{ analysis: reference, weight: 1 }]);
  const { frequenciesHz, midDb } = settings.eq.curve;
  const bands = settings.eq.bands.mid;
  assert.ok(bands.length >= 1 && bands.length <= 8, `${bands.length} bands`);
  const sum = bandsResponseDb(bands, frequenciesHz);
  const rms = Math.sqrt(mean(midDb.map((v, i) => (v - sum[i]) ** 2)));
  const spread = Math.sqrt(mean(midDb.map((v) => v ** 2)));
  assert.ok(spread > 3, `the curve is not trivial (${spread.toFixed(1)} dB rms)`);
  assert.ok(rms < 1.5, `bands miss the curve by ${rms.toFixed(2)} dB rms`);
});

test('a clipped reference is called out', async () => {
  const mix = await analyzeForMatch(syntheticMix({ seconds: 8 }));
  const loud = syntheticMix({ seconds: 8, levelDb: -2, seed: 12 });
  for (const ch of loud.channels) for (let i = 0; i < ch.length; i++) ch[i] = Math.max(-1, Math.min(1, ch[i]));
  const reference = await analyzeForMatch(loud);
  assert.ok(reference.clippedRuns > 0);
  const { reasons } = deriveSettings(mix, [{ analysis: reference, weight: 1 }]);
  assert.ok(reasons.some((r) => /clipped/.test(r)), reasons.join(' | '));
});

test('optional 3-band compressor: one band per crossover region, same ratio, thresholds and makeup follow each band\'s share', async () => {
  const mix = await analyzeForMatch(syntheticMix({ seconds: 16, darkness: 0.7, dynamicsDb: 14 }));
  const reference = await analyzeForMatch(syntheticMix({ seconds: 16, darkness: 0.7, dynamicsDb: 3, seed: 6 }));
  const broadband = deriveSettings(mix, [{ analysis: reference, weight: 1 }]).settings.dynamics;
  assert.equal(broadband.multiband, null, 'broadband by default');
  const { dynamics } = deriveSettings(mix, [{ analysis: reference, weight: 1 }], { multiband: true }).settings;
  const mb = dynamics.multiband;
  assert.ok(mb && dynamics.enabled);
  assert.deepEqual(mb.crossoverHz, [150, 2500]);
  assert.equal(mb.bands.length, 3);
  for (const band of mb.bands) {
    assert.equal(band.ratio, broadband.compressor.ratio);
    // A band holds part of the power: its threshold sits under the broadband one, by at most 60 dB.
    assert.ok(band.thresholdDb < broadband.compressor.thresholdDb && band.thresholdDb > broadband.compressor.thresholdDb - 60, JSON.stringify(band));
  }
  // The bands' powers add up to the whole: 10^(share/10) summed over the bands is 1.
  const shares = mb.bands.map((b) => b.thresholdDb - broadband.compressor.thresholdDb);
  assert.ok(Math.abs(shares.reduce((a, s) => a + 10 ** (s / 10), 0) - 1) < 0.01, `shares ${shares}`);
  assert.ok(mb.bands[0].releaseMs > mb.bands[2].releaseMs, 'bass releases slower than the top');
});
