import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { encodedBytes } from '@/lib/audio/encode/encodedAudio';
import { encodeWav } from '@/lib/audio/encode/wav';
import { decodeAudio } from '@/lib/audio/decode/decode';
import { measureLoudness } from '@/lib/audio/loudness';
import { analysisResultSchema } from '@/lib/mastering/analysis/schema';
import { syntheticMix } from '@/lib/mastering/match/testSignals';
import { masteringReportSchema } from '@/lib/mastering/report/report';
import { neutralSettings, parseSettings } from '@/lib/mastering/settings';

const bin = fileURLToPath(new URL('../../../bin/mastering.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mastering-master-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
const mixPath = join(dir, 'mix.wav');
const refPath = join(dir, 'ref.wav');

before(() => {
  writeFileSync(mixPath, encodedBytes(encodeWav(syntheticMix({ seconds: 10, darkness: 0.85, levelDb: -24 }), { bitDepth: 24, dither: 'none' })));
  writeFileSync(refPath, encodedBytes(encodeWav(syntheticMix({ seconds: 10, darkness: 0.3, levelDb: -16, seed: 4 }), { bitDepth: 24, dither: 'none' })));
});

test('master exits 2 with a one-line reason for bad input', () => {
  const out = join(dir, 'o.wav');
  const notAudio = join(dir, 'text.wav');
  writeFileSync(notAudio, 'not audio\n'.repeat(50));
  const badSettings = join(dir, 'bad.json');
  writeFileSync(badSettings, JSON.stringify({ version: 1, eq: {} }));
  const goodSettings = join(dir, 'neutral.json');
  writeFileSync(goodSettings, JSON.stringify(neutralSettings()));
  const mp3Settings = join(dir, 'mp3.json');
  const mp3 = neutralSettings();
  mp3.output.format = 'mp3-320';
  writeFileSync(mp3Settings, JSON.stringify(mp3));
  const cases: string[][] = [
    ['master', mixPath, '--out', out],
    ['master', mixPath, '--reference', refPath],
    ['master', mixPath, '--reference', join(dir, 'missing.wav'), '--out', out],
    ['master', notAudio, '--reference', refPath, '--out', out],
    ['master', mixPath, '--reference', refPath, '--out', out, '--format', 'ogg'],
    ['master', mixPath, '--reference', refPath, '--out', out, '--sample-rate', '22050'],
    ['master', mixPath, '--reference', refPath, '--out', out, '--format', 'mp3-320', '--sample-rate', '96000'],
    ['master', mixPath, '--reference', refPath, '--out', out, '--platform', 'myspace'],
    ['master', mixPath, '--reference', refPath, '--out', out, '--target-lufs', 'loud'],
    ['master', mixPath, '--reference', refPath, '--out', out, '--ceiling', '3'],
    ['master', mixPath, '--reference', refPath, '--out', out, '--amount', 'eq=2'],
    ['master', mixPath, '--weight', '0.5', '--reference', refPath, '--out', out],
    ['master', mixPath, '--out', out, '--settings', badSettings],
    ['master', mixPath, '--reference', refPath, '--out', out, '--mono-below', '5'],
    ['master', mixPath, '--out', out, '--settings', goodSettings, '--target-lufs', '-9'],
    ['master', mixPath, '--out', out, '--settings', goodSettings, '--multiband'],
    ['master', mixPath, '--out', out, '--settings', mp3Settings, '--sample-rate', '96000'],
    ['master', mixPath, '--reference', refPath, '--out', join(dir, 'no-such-dir', 'o.wav')],
    ['master', mixPath, '--reference', refPath, '--out', out, '--isrc', 'US-XYZ-1-2'],
    ['master', mixPath, '--reference', refPath, '--out', out, '--track', 'two'],
    ['master', mixPath, '--reference', refPath, '--out', out, '--noise-shaping', 'pink'],
    ['master', mixPath, '--reference', refPath, '--out', out, '--eq-phase', 'mixed'],
    ['master', mixPath, '--out', out, '--settings', goodSettings, '--eq-phase', 'minimum'],
  ];
  for (const args of cases) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('master --json writes the file and prints settings, report and result.loudness shaped like analyze; --settings re-renders', () => {
  const out = join(dir, 'master.wav');
  const reportPath = join(dir, 'report.json');
  const r = run('master', mixPath, '--reference', refPath, '--out', out, '--report', reportPath, '--json', '--amount', 'eq=100%,dynamics=0.5,width=1');
  assert.equal(r.status, 0, r.stderr);
  const printed = JSON.parse(r.stdout);
  const settings = parseSettings(printed.settings);
  assert.equal(settings.dynamics.amount, 0.5);
  masteringReportSchema.parse(printed.report);
  analysisResultSchema.shape.loudness.parse(printed.result.loudness);
  const decoded = decodeAudio(new Uint8Array(readFileSync(out)));
  return decoded.then((audio) => {
    assert.equal(audio.format.bitsPerSample, 24);
    const lufs = measureLoudness(audio).integratedLufs;
    assert.ok(Math.abs(lufs - printed.result.loudness.integratedLufs) < 0.05);
    const saved = JSON.parse(readFileSync(reportPath, 'utf8'));
    const settingsPath = join(dir, 'settings.json');
    writeFileSync(settingsPath, JSON.stringify(saved.settings));
    const flac = join(dir, 'again.flac');
    const again = run('master', mixPath, '--settings', settingsPath, '--out', flac, '--format', 'flac16', '--json');
    assert.equal(again.status, 0, again.stderr);
    const againLufs = JSON.parse(again.stdout).result.loudness.integratedLufs;
    assert.ok(Math.abs(againLufs - printed.result.loudness.integratedLufs) < 0.05);
  });
});

test('negative values as separate arguments (--target-lufs -14 --ceiling -1.5) and a weighted second reference', () => {
  const ref2 = join(dir, 'ref2.wav');
  const ref2Audio = syntheticMix({ seconds: 10, darkness: 0.6, levelDb: -12, seed: 11 });
  writeFileSync(ref2, encodedBytes(encodeWav(ref2Audio, { bitDepth: 24, dither: 'none' })));
  const ref1Lufs = measureLoudness(syntheticMix({ seconds: 10, darkness: 0.3, levelDb: -16, seed: 4 })).integratedLufs;
  const ref2Lufs = measureLoudness(ref2Audio).integratedLufs;
  const out = join(dir, 'weighted.wav');
  const r = run('master', mixPath, '--reference', refPath, '--reference', ref2, '--weight', '0.3', '--out', out, '--target-lufs', '-14', '--ceiling', '-1.5', '--json');
  assert.equal(r.status, 0, r.stderr);
  const printed = JSON.parse(r.stdout);
  assert.equal(printed.settings.loudness.targetLufs, -14);
  assert.equal(printed.settings.loudness.ceilingDbtp, -1.5);
  assert.equal(printed.report.reference.count, 2);
  // --weight 0.3 binds to the second reference: the blend's loudness is (1·L1 + 0.3·L2) / 1.3.
  assert.ok(Math.abs(printed.report.reference.integratedLufs - (ref1Lufs + 0.3 * ref2Lufs) / 1.3) < 0.05, `${printed.report.reference.integratedLufs} vs ${ref1Lufs}, ${ref2Lufs}`);
  assert.equal(printed.report.before.tonalDistanceDb.length, 2);
  assert.ok(Math.abs(printed.result.loudness.integratedLufs - -14) <= 0.5, `${printed.result.loudness.integratedLufs}`);
  assert.ok(printed.result.loudness.truePeakDbtp <= -1.5 + 1e-6);
});

test('a mix at a rate that is no delivery rate is delivered at one: 22.05 kHz to MP3 at 44.1 kHz, 192 kHz to WAV at 96 kHz', async () => {
  for (const [rate, format, ext, want] of [[22050, 'mp3-320', 'mp3', 44100], [192000, 'wav24', 'wav', 96000]] as const) {
    const mix = join(dir, `mix-${rate}.wav`);
    const frames = syntheticMix({ seconds: 6, darkness: 0.7, levelDb: -22, sampleRate: rate });
    writeFileSync(mix, encodedBytes(encodeWav(frames, { bitDepth: 24, dither: 'none' })));
    const out = join(dir, `out-${rate}.${ext}`);
    const r = run('master', mix, '--reference', refPath, '--out', out, '--format', format, '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).settings.output.sampleRate, want);
    const decoded = await decodeAudio(new Uint8Array(readFileSync(out)));
    assert.equal(decoded.sampleRate, want);
    assert.equal(decoded.channels[0].length, Math.round((frames.channels[0].length * want) / rate));
  }
});

test('master writes the tags given on the command line into FLAC and WAV, readable by ffprobe', () => {
  for (const format of ['flac16', 'wav16'] as const) {
    const out = join(dir, `tagged.${format.startsWith('flac') ? 'flac' : 'wav'}`);
    const r = run('master', mixPath, '--reference', refPath, '--out', out, '--format', format, '--noise-shaping', 'f-weighted', '--eq-phase', 'minimum',
      '--title', 'Night Drive', '--artist', 'The Testers', '--album', 'Tests', '--track', '3/9', '--isrc', 'us-s1z-26-00042', '--year', '2026');
    assert.equal(r.status, 0, r.stderr);
    const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format_tags', '-of', 'json', out], { encoding: 'utf8' });
    const tags = Object.fromEntries(Object.entries((JSON.parse(probe.stdout).format?.tags ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    assert.equal(tags.title, 'Night Drive', JSON.stringify(tags));
    assert.equal(tags.artist, 'The Testers');
    assert.match(JSON.stringify(tags), /USS1Z2600042/);
  }
});
