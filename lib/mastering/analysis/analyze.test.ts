import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DecodedAudio } from '@/lib/audio/types';
import { AudioFormatError } from '@/lib/audio/types';
import { analyzeAudio, analyzeAudioWithPeaks } from './analyze';
import { analysisResultSchema } from './schema';
import { pinkNoise, sine } from './testSignals';

const sampleRate = 44100;

function decoded(channels: Float32Array[]): DecodedAudio {
  const frames = channels[0].length;
  return {
    sampleRate,
    channels,
    format: { container: 'wav', codec: 'pcm_f32le', sampleRate, channelCount: channels.length, frames, durationSeconds: frames / sampleRate },
  };
}

/** 12 s of music-like material: pink noise plus a tone, different noise per channel for some width. */
function material(seconds: number): Float32Array[] {
  const length = Math.round(seconds * sampleRate);
  const tone = sine(length, sampleRate, 220, 0.1);
  return [1, 2].map((seed) => {
    const noise = pinkNoise(length, 0.15, seed);
    const shared = pinkNoise(length, 0.15, 99);
    return noise.map((v, i) => 0.5 * v + shared[i] + tone[i]);
  });
}

test('problems are found at the right timestamps: silent head, click, clipping run, DC offset', async () => {
  const [left, right] = material(12);
  const head = 2 * sampleRate;
  left.fill(0, 0, head);
  right.fill(0, 0, head);
  const clickAt = Math.round(1.234 * sampleRate) + head; // 3.234 s
  left[clickAt] += 0.6;
  const clipStart = Math.round(6.5 * sampleRate);
  for (let i = clipStart; i < clipStart + 20; i++) right[i] = 1;
  const withDc = right.map((v, i) => (i >= head ? v + 0.01 : v)); // -40 dBFS of DC once the music starts

  const analysis = await analyzeAudio(decoded([left, withDc]));
  const find = (kind: string) => analysis.problems.filter((p) => p.kind === kind);

  const silence = find('silence-head');
  assert.equal(silence.length, 1);
  assert.ok(Math.abs((silence[0].endSeconds ?? 0) - 2) <= 0.011, `head ends at ${silence[0].endSeconds}`);
  assert.equal(silence[0].severity, 'warning');

  const clicks = find('click');
  assert.equal(clicks.length, 1, JSON.stringify(clicks));
  assert.ok(Math.abs(clicks[0].timeSeconds - 3.234) < 0.001, `click at ${clicks[0].timeSeconds}`);
  assert.equal(clicks[0].channel, 0);

  const clipping = find('clipping');
  assert.equal(clipping.length, 1);
  assert.ok(Math.abs(clipping[0].timeSeconds - 6.5) < 0.001);

  const dc = find('dc-offset');
  assert.equal(dc.length, 1);
  assert.equal(dc[0].channel, 1);

  assert.equal(find('phase-inverted').length, 0);
  assert.ok(analysisResultSchema.safeParse(JSON.parse(JSON.stringify(analysis))).success);
});

test('clean material raises no clicks, clipping or DC problems', async () => {
  const analysis = await analyzeAudio(decoded(material(12)));
  const kinds = new Set(analysis.problems.map((p) => p.kind));
  for (const kind of ['click', 'clipping', 'dc-offset', 'silence-head', 'silence-tail', 'phase-inverted']) assert.ok(!kinds.has(kind as never), kind);
});

test('a phase-inverted channel is an error; identical channels are flagged as effectively mono', async () => {
  const [left] = material(8);
  const inverted = await analyzeAudio(decoded([left, left.map((v) => -v)]));
  assert.ok(inverted.problems.some((p) => p.kind === 'phase-inverted' && p.severity === 'error'));
  assert.equal(inverted.stereo.monoCompatible, false);
  const mono = await analyzeAudio(decoded([left, left]));
  assert.ok(mono.problems.some((p) => p.kind === 'narrow-stereo'));
  assert.ok(Math.abs(mono.stereo.correlation - 1) < 1e-9);
});

test('the result validates against the schema, with exact loudness field names and null for silence', async () => {
  const { analysis, peaks } = await analyzeAudioWithPeaks(decoded(material(10)));
  const json = JSON.parse(JSON.stringify(analysis));
  const parsed = analysisResultSchema.parse(json);
  assert.deepEqual(Object.keys(parsed.loudness).sort(), ['integratedLufs', 'loudnessRangeLu', 'momentaryMaxLufs', 'plrDb', 'samplePeakDbfs', 'shortTermMaxLufs', 'truePeakDbtp']);
  assert.equal(parsed.spectrum.thirdOctave.centresHz.length, parsed.spectrum.thirdOctave.midDb.length);
  assert.equal(parsed.spectrum.tonal.levelsDb.length, 28);
  assert.ok(parsed.descriptors.tempoBpm === null || parsed.descriptors.tempoBpm > 0);
  assert.ok(peaks.levels.length === 4 && !('peaks' in json));

  const silent = await analyzeAudio(decoded([new Float32Array(sampleRate * 5), new Float32Array(sampleRate * 5)]));
  const silentJson = analysisResultSchema.parse(JSON.parse(JSON.stringify(silent)));
  assert.equal(silentJson.loudness.integratedLufs, null);
  assert.equal(silentJson.loudness.truePeakDbtp, null);
});

test('more than two channels is a format error', async () => {
  const channel = new Float32Array(sampleRate);
  await assert.rejects(analyzeAudio(decoded([channel, channel, channel])), AudioFormatError);
});

test('silence at the tail is flagged from where the music ends', async () => {
  const music = material(8);
  const tail = 6 * sampleRate;
  const [left, right] = music.map((c) => {
    const out = new Float32Array(c.length + tail);
    out.set(c);
    return out;
  });
  const analysis = await analyzeAudio(decoded([left, right]));
  const tails = analysis.problems.filter((p) => p.kind === 'silence-tail');
  assert.equal(tails.length, 1, JSON.stringify(analysis.problems));
  assert.ok(Math.abs(tails[0].timeSeconds - 8) <= 0.011, `tail starts at ${tails[0].timeSeconds}`);
  assert.ok(Math.abs((tails[0].endSeconds ?? 0) - 14) < 1e-9);
  assert.equal(tails[0].severity, 'warning');
  assert.ok(!analysis.problems.some((p) => p.kind === 'silence-head'));
});

test('an out-of-phase section of a normal mix is flagged with its start and end', async () => {
  const [left, right] = material(10);
  // Right channel inverted from 4 s to 6 s (a polarity error on one edit): whole-file correlation stays positive.
  const from = 4 * sampleRate;
  const to = 6 * sampleRate;
  for (let i = from; i < to; i++) right[i] = -left[i];
  const analysis = await analyzeAudio(decoded([left, right]));
  const sections = analysis.problems.filter((p) => p.kind === 'phase-inverted');
  assert.equal(sections.length, 1, JSON.stringify(analysis.problems));
  assert.equal(sections[0].severity, 'warning');
  assert.equal(sections[0].timeSeconds, 4);
  assert.equal(sections[0].endSeconds, 6);
  assert.ok(analysis.stereo.minWindowCorrelation < -0.99, `min window correlation ${analysis.stereo.minWindowCorrelation}`);
  assert.equal(analysis.stereo.monoCompatible, false);
  // The same section at -70 dBFS (a faded tail, say) is below what anyone hears: not flagged.
  const quiet = material(10);
  for (let i = from; i < to; i++) {
    quiet[0][i] *= 10 ** (-65 / 20);
    quiet[1][i] = -quiet[0][i];
  }
  const faded = await analyzeAudio(decoded(quiet));
  assert.ok(!faded.problems.some((p) => p.kind === 'phase-inverted'), JSON.stringify(faded.problems));
});

test('independent left and right channels are flagged as very wide stereo; a normal mix is not', async () => {
  const length = 8 * sampleRate;
  const wide = await analyzeAudio(decoded([pinkNoise(length, 0.2, 1), pinkNoise(length, 0.2, 2)]));
  const flagged = wide.problems.filter((p) => p.kind === 'wide-stereo');
  assert.equal(flagged.length, 1, JSON.stringify(wide.problems));
  assert.equal(flagged[0].timeSeconds, 0);
  assert.ok(Math.abs((flagged[0].endSeconds ?? 0) - 8) < 1e-9);
  const normal = await analyzeAudio(decoded(material(8)));
  assert.ok(!normal.problems.some((p) => p.kind === 'wide-stereo' || p.kind === 'narrow-stereo'), JSON.stringify(normal.problems));
});

test('inter-sample overs are flagged where a burst with all samples below 0 dBFS peaks above it between samples', async () => {
  const [left, right] = material(8).map((c) => c.map((v) => v * 0.3));
  // A fs/4 sine sampled 45 degrees off its crest: samples at 1.25 * cos(45°) = 0.884, the waveform peaks at 1.25 (+1.9 dBTP).
  const at = Math.round(5.5 * sampleRate);
  for (let i = 0; i < 2000; i++) {
    const v = 1.25 * Math.sin((Math.PI / 2) * i + Math.PI / 4);
    left[at + i] = v;
    right[at + i] = v;
  }
  const analysis = await analyzeAudio(decoded([left, right]));
  assert.ok(analysis.loudness.samplePeakDbfs! < 0, `sample peak ${analysis.loudness.samplePeakDbfs}`);
  assert.ok(Math.abs(analysis.loudness.truePeakDbtp! - 20 * Math.log10(1.25)) < 0.2, `true peak ${analysis.loudness.truePeakDbtp}`);
  const overs = analysis.problems.filter((p) => p.kind === 'inter-sample-over');
  assert.equal(overs.length, 1, JSON.stringify(overs));
  assert.ok(Math.abs(overs[0].timeSeconds - 5.5) < 0.05, `over at ${overs[0].timeSeconds}`);
  assert.ok(!analysis.problems.some((p) => p.kind === 'clipping'));
  const clean = await analyzeAudio(decoded(material(8).map((c) => c.map((v) => v * 0.3))));
  assert.ok(!clean.problems.some((p) => p.kind === 'inter-sample-over'));
});

test('bass that cancels in mono raises the mono-compatibility warning even when the mix as a whole is correlated', async () => {
  const length = 10 * sampleRate;
  const [left, right] = material(10);
  // A 60 Hz line in opposite polarity on the two sides (a flipped bass DI): it vanishes from the mono sum.
  const bass = sine(length, sampleRate, 60, 0.08);
  for (let i = 0; i < length; i++) {
    left[i] += bass[i];
    right[i] -= bass[i];
  }
  const analysis = await analyzeAudio(decoded([left, right]));
  assert.ok(analysis.stereo.correlation > -0.5, `overall correlation ${analysis.stereo.correlation}`);
  const warning = analysis.problems.find((p) => p.kind === 'mono-compatibility');
  assert.ok(warning, JSON.stringify(analysis.problems));
  assert.match(warning.message, /Low end/);
  assert.equal(analysis.stereo.monoCompatible, false);
  const clean = await analyzeAudio(decoded(material(10)));
  assert.ok(!clean.problems.some((p) => p.kind === 'mono-compatibility') && clean.stereo.monoCompatible);
});
