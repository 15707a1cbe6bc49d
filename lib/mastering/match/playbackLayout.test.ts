import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measureTruePeak } from '@/lib/audio/truePeak';
import type { PcmAudio } from '@/lib/audio/types';
import { deriveSettings } from './derive';
import { masterTrack } from './masterTrack';
import { analyzeForMatch } from './matchAnalysis';
import { DUAL_MONO_DB, layoutOffsetDb, referenceInMixLayout } from './playbackLayout';
import { syntheticMix } from './testSignals';

/** One music-like channel, as a mono file and as the dual-mono stereo file that plays identically. */
function monoAndDualMono(): { mono: PcmAudio; dualMono: PcmAudio } {
  const x = syntheticMix({ seconds: 16, levelDb: -24 }).channels[0];
  return { mono: { sampleRate: 44100, channels: [x] }, dualMono: { sampleRate: 44100, channels: [x, Float32Array.from(x)] } };
}

const maxAbs = (values: number[]) => Math.max(...values.map(Math.abs));

test('layout offsets: a mono reference plays 3.01 LU louder beside a stereo mix, a stereo one 3.01 LU quieter beside a mono mix', () => {
  assert.equal(layoutOffsetDb(1, 2), DUAL_MONO_DB);
  assert.equal(layoutOffsetDb(2, 1), -DUAL_MONO_DB);
  assert.equal(layoutOffsetDb(2, 2), 0);
  assert.equal(layoutOffsetDb(1, 1), 0);
  assert.ok(Math.abs(DUAL_MONO_DB - 3.0103) < 1e-4);
});

test('a stereo mix matched to its own mono version needs no loudness change and no EQ (the raw figures asked for 3 dB of both)', async () => {
  const { mono, dualMono } = monoAndDualMono();
  const mix = await analyzeForMatch(dualMono);
  const reference = await analyzeForMatch(mono);
  // The trap: measured as one channel, the reference is 3.01 LU "quieter" and every band 3 dB "above" its loudness.
  assert.ok(Math.abs(mix.integratedLufs - reference.integratedLufs - DUAL_MONO_DB) < 0.01, `${mix.integratedLufs} vs ${reference.integratedLufs}`);
  const raw = deriveSettings(mix, [{ analysis: reference, weight: 1 }]).settings;
  assert.ok(Math.abs(raw.loudness.targetLufs - (mix.integratedLufs - DUAL_MONO_DB)) < 0.05);
  assert.ok(maxAbs(raw.eq.curve.midDb) > 2, `raw EQ ${maxAbs(raw.eq.curve.midDb)}`);

  const { settings } = deriveSettings(mix, [{ analysis: referenceInMixLayout(reference, 2), weight: 1 }]);
  assert.ok(Math.abs(settings.loudness.targetLufs - mix.integratedLufs) < 0.05, `target ${settings.loudness.targetLufs} vs mix ${mix.integratedLufs}`);
  assert.ok(maxAbs(settings.eq.curve.midDb) < 0.05, `mid EQ up to ${maxAbs(settings.eq.curve.midDb)} dB`);
  assert.ok(maxAbs(settings.eq.curve.sideDb) < 0.05, `side EQ up to ${maxAbs(settings.eq.curve.sideDb)} dB`);
});

test('a mono mix matched to a dual-mono stereo reference of the same music keeps its loudness', async () => {
  const { mono, dualMono } = monoAndDualMono();
  const mix = await analyzeForMatch(mono);
  const reference = await analyzeForMatch(dualMono);
  const { settings } = deriveSettings(mix, [{ analysis: referenceInMixLayout(reference, 1), weight: 1 }]);
  assert.ok(Math.abs(settings.loudness.targetLufs - mix.integratedLufs) < 0.05, `target ${settings.loudness.targetLufs} vs mix ${mix.integratedLufs}`);
  assert.ok(maxAbs(settings.eq.curve.midDb) < 0.05, `EQ up to ${maxAbs(settings.eq.curve.midDb)} dB`);
});

test('masterTrack: a stereo mix with its own mono version as reference comes back unchanged, and says why', async () => {
  const { mono, dualMono } = monoAndDualMono();
  const tp = measureTruePeak(dualMono).truePeakDbtp;
  const result = await masterTrack({ mix: dualMono, references: [{ audio: mono }], options: { ceilingDbtp: Math.min(0, tp + 2), encode: false } });
  let err = 0;
  let sig = 0;
  dualMono.channels.forEach((ch, c) => {
    for (let i = 0; i < ch.length; i++) {
      err += (ch[i] - result.audio.channels[c][i]) ** 2;
      sig += ch[i] ** 2;
    }
  });
  const errorDb = 10 * Math.log10(err / sig);
  assert.ok(errorDb < -60, `output differs from input by ${errorDb.toFixed(1)} dB`);
  assert.ok(result.report.summary.some((r) => /reference is mono/.test(r)), result.report.summary.join(' | '));
  const distance = result.report.after.tonalDistanceToBlendDb;
  assert.ok(distance !== null && distance < 0.05, `tonal distance to the mono reference ${distance}`);
});
