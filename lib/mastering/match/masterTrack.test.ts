import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findClipping } from '@/lib/audio/clipping';
import { measureLoudness } from '@/lib/audio/loudness';
import { measureTruePeak } from '@/lib/audio/truePeak';
import { float32AtOrBelow } from '@/lib/audio/limiter';
import { designBiquad, processBiquad } from '@/lib/audio/biquad';
import type { PcmAudio } from '@/lib/audio/types';
import { FULL_TRACK_CORRECTION_ABOVE_DB, masterTrack } from './masterTrack';
import { kickMix as kickOverNoise, syntheticMix } from './testSignals';

function errorDb(a: PcmAudio, b: PcmAudio): number {
  let err = 0;
  let sig = 0;
  a.channels.forEach((ch, c) => {
    for (let i = 0; i < ch.length; i++) {
      const d = ch[i] - b.channels[c][i];
      err += d * d;
      sig += ch[i] * ch[i];
    }
  });
  return 10 * Math.log10(err / sig);
}

function maxAbs(pcm: PcmAudio): number {
  let m = 0;
  for (const ch of pcm.channels) for (const v of ch) m = Math.max(m, Math.abs(v));
  return m;
}

test('null test: the mix as its own reference, target = its loudness, ceiling above its true peak, changes nothing', async () => {
  const mix = syntheticMix({ seconds: 16, levelDb: -24 });
  const tp = measureTruePeak(mix).truePeakDbtp;
  assert.ok(tp < -3);
  const result = await masterTrack({ mix, references: [{ audio: mix }], options: { ceilingDbtp: Math.min(0, tp + 2), encode: false } });
  assert.equal(result.audio.channels[0].length, mix.channels[0].length);
  const e = errorDb(mix, result.audio);
  assert.ok(e < -60, `output differs from input by ${e.toFixed(1)} dB`);
});

test('a quiet dark mix matched to a loud bright reference: loudness hit, ceiling honoured, tonal distance reduced', async () => {
  const mix = syntheticMix({ seconds: 24, darkness: 0.9, levelDb: -26, dynamicsDb: 14 });
  const reference = syntheticMix({ seconds: 24, darkness: 0.3, levelDb: -16, dynamicsDb: 3, seed: 5, sideDb: -4 });
  const result = await masterTrack({ mix, references: [{ audio: reference }], options: { encode: false } });
  const { report, audio } = result;
  const refLufs = measureLoudness(reference).integratedLufs;
  const outLufs = measureLoudness(audio).integratedLufs;
  assert.ok(Math.abs(outLufs - refLufs) <= 0.5, `output ${outLufs.toFixed(2)} LUFS, reference ${refLufs.toFixed(2)}`);
  const tp = measureTruePeak(audio).truePeakDbtp;
  assert.ok(tp <= -1 + 1e-6, `true peak ${tp.toFixed(3)} dBTP above the -1 ceiling`);
  assert.ok(maxAbs(audio) <= float32AtOrBelow(10 ** (-1 / 20)));
  assert.equal(findClipping(audio).runCount, 0);
  assert.ok(report.after.tonalDistanceToBlendDb! < report.before.tonalDistanceToBlendDb! / 2, JSON.stringify([report.before.tonalDistanceToBlendDb, report.after.tonalDistanceToBlendDb]));
  // LRA moves at least halfway toward the reference at dynamics amount 100 %.
  const mixLra = measureLoudness(mix).loudnessRangeLu;
  const refLra = measureLoudness(reference).loudnessRangeLu;
  const outLra = measureLoudness(audio).loudnessRangeLu;
  assert.ok(outLra <= mixLra - (mixLra - refLra) / 2, `LRA mix ${mixLra.toFixed(1)} ref ${refLra.toFixed(1)} out ${outLra.toFixed(1)}`);
  assert.ok(report.summary.length > 3);
  assert.equal(report.after.loudness.integratedLufs !== null, true);
});

test('platform target and a custom ceiling are honoured', async () => {
  const mix = syntheticMix({ seconds: 16, darkness: 0.6, levelDb: -22 });
  const reference = syntheticMix({ seconds: 16, darkness: 0.5, levelDb: -12, seed: 3 });
  const result = await masterTrack({ mix, references: [{ audio: reference }], options: { target: { kind: 'platform', platform: 'apple' }, ceilingDbtp: -2, encode: false } });
  const lufs = measureLoudness(result.audio).integratedLufs;
  assert.ok(Math.abs(lufs - -16) <= 0.5, `${lufs}`);
  assert.ok(measureTruePeak(result.audio).truePeakDbtp <= -2 + 1e-6);
  assert.equal(result.settings.loudness.platform, 'apple');
});

test('EQ amount 0 renders exactly like EQ switched off; edited settings render as-is', async () => {
  const mix = syntheticMix({ seconds: 12, darkness: 0.85, levelDb: -20 });
  const reference = syntheticMix({ seconds: 12, darkness: 0.2, levelDb: -18, seed: 9 });
  const derived = await masterTrack({ mix, references: [{ audio: reference }], options: { encode: false } });
  assert.ok(derived.settings.eq.enabled && derived.report.eq.applied);
  const zero = structuredClone(derived.settings);
  zero.eq.amount = 0;
  const off = structuredClone(derived.settings);
  off.eq.enabled = false;
  const a = await masterTrack({ mix, references: [], settings: zero, options: { encode: false } });
  const b = await masterTrack({ mix, references: [], settings: off, options: { encode: false } });
  assert.deepEqual(a.audio.channels, b.audio.channels);
  // Rendering the derived settings again reproduces the derived render.
  const again = await masterTrack({ mix, references: [], settings: derived.settings, options: { encode: false } });
  assert.ok(errorDb(derived.audio, again.audio) < -100);
});

test('edited settings still meet their loudness target unless the loudness mode is manual', async () => {
  const mix = syntheticMix({ seconds: 14, darkness: 0.7, levelDb: -21 });
  const reference = syntheticMix({ seconds: 14, darkness: 0.4, levelDb: -13, seed: 5 });
  const derived = await masterTrack({ mix, references: [{ audio: reference }], options: { target: { kind: 'custom', lufs: -15 }, encode: false } });
  // An engineer boosts the whole mid curve by 4 dB: louder into the limiter.
  const edited = structuredClone(derived.settings);
  edited.eq.curve.midDb = edited.eq.curve.midDb.map((v) => v + 4);
  const target = await masterTrack({ mix, references: [], settings: edited, options: { encode: false } });
  assert.ok(Math.abs(measureLoudness(target.audio).integratedLufs - -15) <= 0.2, `target mode: ${measureLoudness(target.audio).integratedLufs}`);
  assert.notEqual(target.settings.loudness.limiterInputGainDb, derived.settings.loudness.limiterInputGainDb);
  assert.ok(measureTruePeak(target.audio).truePeakDbtp <= -1 + 1e-6);
  const manual = structuredClone(edited);
  manual.loudness.mode = 'manual';
  const kept = await masterTrack({ mix, references: [], settings: manual, options: { encode: false } });
  assert.equal(kept.settings.loudness.limiterInputGainDb, derived.settings.loudness.limiterInputGainDb);
  assert.equal(kept.settings.loudness.outputGainDb, derived.settings.loudness.outputGainDb);
  assert.ok(measureLoudness(kept.audio).integratedLufs > -15 + 0.3, 'the boost shows when the drive is kept');
});

test('a mix without sub-bass matched to a bass-heavy reference: no boost there after the closed loop, and a warning says why', async () => {
  const full = syntheticMix({ seconds: 16, darkness: 0.6, levelDb: -20 });
  // 48 dB/octave high-pass at 150 Hz: nothing left at 40 Hz.
  const hp = designBiquad({ type: 'highPass', frequencyHz: 150, gainDb: 0, q: Math.SQRT1_2 }, full.sampleRate);
  const mix: PcmAudio = {
    sampleRate: full.sampleRate,
    channels: full.channels.map((ch) => {
      const x = Float64Array.from(ch);
      for (let s = 0; s < 4; s++) processBiquad(hp, x);
      return Float32Array.from(x);
    }),
  };
  const reference = syntheticMix({ seconds: 16, darkness: 0.93, levelDb: -16, seed: 3 });
  const { settings, report } = await masterTrack({ mix, references: [{ audio: reference }], options: { encode: false } });
  const low = report.eq.frequenciesHz.map((f, i) => ({ f, mid: report.eq.midDb[i], side: report.eq.sideDb[i] })).filter((p) => p.f <= 45);
  assert.ok(low.every((p) => p.mid <= 0.01 && p.side <= 0.01), `rendered curve below 45 Hz: ${JSON.stringify(low)}`);
  assert.ok(settings.eq.enabled && report.eq.applied);
  assert.ok(report.warnings.some((w) => /little content/.test(w)), report.warnings.join(' | '));
});

test('3-band compression and mono bass on request: three gain-reduction reports, LRA moved halfway, low side removed', async () => {
  const mix = syntheticMix({ seconds: 24, darkness: 0.8, levelDb: -24, dynamicsDb: 14, sideDb: -6 });
  const reference = syntheticMix({ seconds: 24, darkness: 0.8, levelDb: -16, dynamicsDb: 3, seed: 5, sideDb: -6 });
  const { settings, report, audio } = await masterTrack({ mix, references: [{ audio: reference }], options: { multiband: true, monoBelowHz: 120, encode: false } });
  assert.equal(settings.dynamics.multiband?.bands.length, 3);
  assert.equal(report.dynamics.compressor.length, 3);
  assert.ok(report.dynamics.compressor.some((b) => b.maxDb > 1), JSON.stringify(report.dynamics.compressor.map((b) => b.maxDb)));
  const mixLra = measureLoudness(mix).loudnessRangeLu;
  const refLra = measureLoudness(reference).loudnessRangeLu;
  const outLra = measureLoudness(audio).loudnessRangeLu;
  assert.ok(outLra <= mixLra - (mixLra - refLra) / 2, `LRA mix ${mixLra.toFixed(1)} ref ${refLra.toFixed(1)} out ${outLra.toFixed(1)}`);
  assert.equal(settings.stereo.monoBelowHz, 120);
  const at = (f: number) => report.eq.sideDb[report.eq.frequenciesHz.findIndex((x) => x >= f)];
  assert.ok(at(40) < -30 && at(1000) > -10, `side curve at 40 Hz ${at(40)}, 1 kHz ${at(1000)}`);
});

/** Quiet bed with loud kicks every 0.5 s: a high peak-to-loudness ratio that a loud target cannot reach by limiting alone. */
function kickMix(seed: number): PcmAudio {
  const m = syntheticMix({ seconds: 16, darkness: 0.6, levelDb: -34, dynamicsDb: 3, seed });
  const rate = m.sampleRate;
  for (let i = 0; i < m.channels[0].length; i++) {
    const t = (i % (rate / 2)) / rate;
    const kick = 0.5 * Math.exp(-t * 30) * Math.sin(2 * Math.PI * 55 * t) + 0.3 * Math.exp(-t * 400) * Math.sin(2 * Math.PI * 3000 * t);
    m.channels[0][i] += kick;
    m.channels[1][i] += kick;
  }
  return m;
}

test('saturation only when a loud target needs it, and the report warns about more than 6 dB of limiting', async () => {
  const mix = kickMix(1);
  const reference = kickMix(3);
  const loud = await masterTrack({ mix, references: [{ audio: reference }], options: { target: { kind: 'custom', lufs: -12 }, encode: false } });
  assert.ok(loud.settings.saturation.enabled && loud.settings.saturation.driveDb > 0, JSON.stringify(loud.settings.saturation));
  assert.ok(loud.report.summary.some((s) => /saturation/.test(s)), loud.report.summary.join(' | '));
  assert.ok(loud.report.warnings.some((w) => /more than 6 dB/.test(w)), loud.report.warnings.join(' | '));
  assert.ok(Math.abs(measureLoudness(loud.audio).integratedLufs - -12) <= 0.5);
  assert.ok(measureTruePeak(loud.audio).truePeakDbtp <= -1 + 1e-6);
  const gentle = await masterTrack({ mix, references: [{ audio: reference }], options: { target: { kind: 'custom', lufs: -22 }, encode: false } });
  assert.equal(gentle.settings.saturation.enabled, false);
  assert.ok(!gentle.report.warnings.some((w) => /more than 6 dB/.test(w)), gentle.report.warnings.join(' | '));
});

test('a target the chain cannot reach ends below the ceiling with a warning, not a crash', async () => {
  // A quiet bed under loud kicks, pushed to club loudness: more drive than the limiter's range allows.
  const mix = kickMix(1);
  const result = await masterTrack({ mix, references: [{ audio: mix }], options: { target: { kind: 'custom', lufs: -8 }, encode: false } });
  assert.ok(result.settings.loudness.limiterInputGainDb <= 36);
  assert.ok(measureTruePeak(result.audio).truePeakDbtp <= -1 + 1e-6);
  const lufs = measureLoudness(result.audio).integratedLufs;
  if (Math.abs(lufs - -8) > 0.5) assert.ok(result.report.warnings.some((w) => /from the target/.test(w)), result.report.warnings.join(' | '));
});

test('the first render\'s tonal residual is predicted before its limiter runs, as its measurement finds it', async () => {
  // Long enough for a probe of separate segments (closedLoop.ts planProbe), with a kick whose low end the limiter
  // takes down, so the first render misses the reference by more than the EQ derived from the analyses expects.
  const mix = kickOverNoise({ seconds: 90 });
  const reference = syntheticMix({ seconds: 40, darkness: 0.7, levelDb: -8, dynamicsDb: 2, seed: 7 });
  // Without the tonal model's correction before the first render (tested below), which would leave little to fold.
  const measured = await masterTrack({ mix, references: [{ audio: reference }], options: { encode: false, predictResidual: false, modelResidual: false } });
  const predicted = await masterTrack({ mix, references: [{ audio: reference }], options: { encode: false, modelResidual: false } });
  const [firstMeasured] = measured.report.closedLoop;
  const [firstPredicted, corrected] = predicted.report.closedLoop;
  assert.ok(firstMeasured.meanAbsResidualDb > 1, `the first render needs no correction: ${JSON.stringify(measured.report.closedLoop)}`);
  assert.equal(firstMeasured.predicted, undefined);
  assert.equal(firstPredicted.predicted, true);
  // The same first render up to its limiter, its drive searched to a coarser tolerance when the prediction may
  // abandon it (masterTrack.ts COARSE_SEARCH_LU), and a prediction within 0.15 dB of the measurement.
  assert.ok(Math.abs(firstPredicted.driveDb - firstMeasured.driveDb) < 0.5, JSON.stringify([firstPredicted, firstMeasured]));
  assert.ok(Math.abs(firstPredicted.meanAbsResidualDb - firstMeasured.meanAbsResidualDb) < 0.15, JSON.stringify([firstPredicted, firstMeasured]));
  // The correction lands as well as the one folded from the measured render.
  assert.ok(corrected.meanAbsResidualDb < firstPredicted.meanAbsResidualDb, JSON.stringify(predicted.report.closedLoop));
  assert.ok(Math.abs(predicted.report.after.tonalDistanceToBlendDb! - measured.report.after.tonalDistanceToBlendDb!) < 0.15, JSON.stringify([predicted.report.closedLoop, measured.report.closedLoop]));
});

test('the tonal model predicts the uncorrected render from its probe, and its correction leaves one render to make', async () => {
  // Kicks the limiter takes down over a bed loud enough to be matched: a first render that needs a correction.
  const mix = kickOverNoise({ seconds: 90, noiseDb: -18 });
  const reference = syntheticMix({ seconds: 40, darkness: 0.6, levelDb: -9, dynamicsDb: 3, seed: 7 });
  // The first render with the EQ as derived, measured (no prediction, no model).
  const measured = await masterTrack({ mix, references: [{ audio: reference }], options: { encode: false, predictResidual: false, modelResidual: false } });
  const modelled = await masterTrack({ mix, references: [{ audio: reference }], options: { encode: false } });
  const [uncorrected] = measured.report.closedLoop;
  const [model, rendered, ...more] = modelled.report.closedLoop;
  assert.ok(uncorrected.meanAbsResidualDb > 1, `the first render needs a correction: ${JSON.stringify(measured.report.closedLoop)}`);
  assert.equal(model.predicted, true);
  assert.ok(Math.abs(model.meanAbsResidualDb - uncorrected.meanAbsResidualDb) < 0.2, JSON.stringify([model, uncorrected]));
  // One full render, as close to the reference as rendering, measuring and rendering again.
  assert.equal(rendered.predicted, undefined);
  assert.deepEqual(more, [], JSON.stringify(modelled.report.closedLoop));
  assert.ok(rendered.meanAbsResidualDb < FULL_TRACK_CORRECTION_ABOVE_DB, JSON.stringify(modelled.report.closedLoop));
  assert.ok(modelled.report.after.tonalDistanceToBlendDb! < measured.report.after.tonalDistanceToBlendDb! + 0.15, JSON.stringify([modelled.report.closedLoop, measured.report.closedLoop]));
  assert.ok(Math.abs(measureLoudness(modelled.audio).integratedLufs - modelled.settings.loudness.targetLufs) <= 0.5);
  assert.ok(measureTruePeak(modelled.audio).truePeakDbtp <= -1 + 1e-6);
});
