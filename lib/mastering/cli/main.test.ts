import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { analysisResultSchema } from '@/lib/mastering/analysis/schema';
import { pinkNoise, wav16 } from '@/lib/mastering/analysis/testSignals';

const bin = fileURLToPath(new URL('../../../bin/mastering.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mastering-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });

test('analyze exits 2 with a one-line reason for a missing file and for a non-audio file', () => {
  const missing = run('analyze', join(dir, 'nope.wav'));
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no such file/);
  const text = join(dir, 'notes.wav');
  writeFileSync(text, 'this is not audio\n'.repeat(100));
  const notAudio = run('analyze', text);
  assert.equal(notAudio.status, 2, notAudio.stderr);
  assert.equal(notAudio.stderr.trim().split('\n').length, 1);
  assert.equal(notAudio.stdout, '');
});

test('analyze --json prints one AnalysisResult for a synthesized WAV; the summary is a table', () => {
  const sampleRate = 44100;
  const file = join(dir, 'noise.wav');
  writeFileSync(file, wav16([pinkNoise(sampleRate * 6, 0.2, 1), pinkNoise(sampleRate * 6, 0.2, 2)], sampleRate));
  const json = run('analyze', file, '--json');
  assert.equal(json.status, 0, json.stderr);
  const analysis = analysisResultSchema.parse(JSON.parse(json.stdout));
  assert.equal(analysis.channels, 2);
  assert.equal(analysis.sampleRate, sampleRate);
  assert.ok(Math.abs(analysis.durationSeconds - 6) < 1e-9);
  assert.equal(analysis.format.bitsPerSample, 16);
  assert.ok(analysis.loudness.integratedLufs !== null && analysis.loudness.integratedLufs < -10);
  const summary = run('analyze', file);
  assert.equal(summary.status, 0);
  assert.match(summary.stdout, /^Integrated loudness\s+-\d+\.\d LUFS$/m);
  assert.match(summary.stdout, /^True peak\s+/m);
});

test('a damaged MP3 is reported in exactly one line: the WASM decoder\'s own console chatter stays out of stderr', () => {
  const bytes = readFileSync(fileURLToPath(new URL('../../audio/decode/fixtures/chirp-44k-stereo.mp3', import.meta.url)));
  // 2000 bytes of 0xFF in the middle: mpg123 logs "MPG123_ERR" for the frames it cannot sync to.
  const at = Math.floor(bytes.length * 0.4);
  bytes.fill(0xff, at, at + 2000);
  const file = join(dir, 'damaged.mp3');
  writeFileSync(file, bytes);
  const r = run('analyze', file);
  assert.equal(r.status, 2, r.stderr);
  assert.deepEqual(r.stderr.trim().split('\n'), [r.stderr.trim()]);
  assert.match(r.stderr, /^mastering analyze: damaged\.mp3: truncated MP3 file/);
});

test('--help of each command prints its usage and exits 0', () => {
  for (const [command, expected] of [['analyze', /--json/], ['master', /--format F .*mp3-v0[\s\S]*--settings FILE/]] as const) {
    const r = run(command, '--help');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^usage: mastering /);
    assert.match(r.stdout, expected);
  }
});

test('unknown command and missing arguments are usage errors', () => {
  assert.equal(run('frobnicate').status, 2);
  assert.equal(run('analyze').status, 2);
});

test('the package bin starts the heavy commands with their start-up settings', () => {
  // bin/mastering (a shell script) sets them; bin/mastering.js, started directly, goes through it. A copy of the script
  // beside a stand-in for the CLI (named as the CLI it starts) shows what the CLI's process is started with.
  const packageBin = fileURLToPath(new URL('../../../bin/mastering', import.meta.url));
  const script = join(dir, 'mastering');
  writeFileSync(script, readFileSync(packageBin, 'utf8'));
  chmodSync(script, 0o755);
  writeFileSync(join(dir, 'mastering.js'), "process.stdout.write(JSON.stringify({ execArgv: process.execArgv, tuned: process.env.MASTERING_CLI_TUNED, tunables: process.env.GLIBC_TUNABLES ?? null, argv: process.argv.slice(2) }));\n");
  const env: Record<string, string | undefined> = { ...process.env, MASTERING_NODE: process.execPath };
  delete env.GLIBC_TUNABLES;
  const viaScript = (args: string[], extra: Record<string, string> = {}) => {
    const r = spawnSync('/bin/sh', [script, ...args], { encoding: 'utf8', env: { ...env, ...extra } as NodeJS.ProcessEnv });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { execArgv: string[]; tuned?: string; tunables: string | null; argv: string[] };
  };
  const master = viaScript(['master', 'mix.wav', '--reference', 'ref.wav']);
  assert.deepEqual(master.execArgv, ['--single-threaded', '--expose-gc', '--no-turbo-inlining', '--max-semi-space-size=4', '--interrupt-budget=270336']);
  assert.equal(master.tuned, '1');
  assert.match(master.tunables ?? '', /glibc\.malloc\.arena_max=2.*hugetlb=1/);
  assert.deepEqual(master.argv, ['master', 'mix.wav', '--reference', 'ref.wav']);
  const analyze = viaScript(['analyze', 'x.wav']);
  assert.deepEqual(analyze.execArgv, ['--single-threaded', '--expose-gc', '--no-turbo-inlining', '--max-semi-space-size=2', '--interrupt-budget=270336']);
  assert.equal(analyze.tunables, null);
  // Tunables the user set are left as they are; other commands start plainly.
  assert.equal(viaScript(['master'], { GLIBC_TUNABLES: 'glibc.malloc.arena_max=1' }).tunables, 'glibc.malloc.arena_max=1');
  // Started through a link to it (as npm links a package's bin), it still finds the CLI beside itself.
  const links = mkdtempSync(join(dir, 'bin-'));
  symlinkSync(script, join(links, 'mastering'));
  const linked = spawnSync(join(links, 'mastering'), ['master', 'x'], { encoding: 'utf8', env: env as NodeJS.ProcessEnv });
  assert.equal(linked.status, 0, linked.stderr);
  assert.deepEqual(JSON.parse(linked.stdout).argv, ['master', 'x']);
  const help = viaScript(['--help']);
  assert.deepEqual(help.execArgv, []);
  assert.equal(help.tuned, undefined);
  // The real script and CLI: a usage error in one line either way.
  for (const r of [spawnSync(packageBin, ['master', '--reference', 'x'], { encoding: 'utf8', env: env as NodeJS.ProcessEnv }), run('master', '--reference', 'x')]) {
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^mastering master: missing MIX/);
  }
});
