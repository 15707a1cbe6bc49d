import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ENTRIES, ensureRuntimeBundle } from '../../scripts/runtimeBundle.mjs';
import type { DecodeWorkerRequest } from './decode/decodeWorker';
import { THREAD_ENTRIES, startWorker, useRuntimeBundle } from './workerThread';

test('the runtime bundle builds every thread entry workerThread.ts can start', async () => {
  for (const [name, source] of Object.entries(THREAD_ENTRIES)) assert.equal(ENTRIES[name as keyof typeof ENTRIES], source, name);
  const folder = await ensureRuntimeBundle();
  // A second call finds it up to date (no rebuild: same folder).
  assert.equal(await ensureRuntimeBundle(), folder);
  // essentia's glue with its WebAssembly in a file of its own (not a base64 string in the script): it loads.
  assert.ok(existsSync(join(folder, 'essentia.wasm')));
  const glue = readFileSync(join(folder, 'essentia-wasm.cjs'), 'utf8');
  assert.ok(glue.length < 500_000 && !glue.includes('data:application/octet-stream;base64,A'), `glue of ${glue.length} chars`);
  // It computes what the package's own script computes (a key, from a chroma vector).
  const keyWith = (glue: string) => {
    const code = `const W = require(${JSON.stringify(glue)}); const Core = require('essentia.js/dist/essentia.js-core.umd.js'); const e = new Core(W); const r = e.Key(e.arrayToVector(new Float32Array([1, 0, 0.2, 0, 1, 0.3, 0, 1, 0, 0.1, 0, 0]))); console.log(r.key + ' ' + r.scale + ' ' + r.strength); process.exit(0);`;
    const run = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    return run.stdout.trim();
  };
  const fromBundle = keyWith(join(folder, 'essentia-wasm.cjs'));
  assert.match(fromBundle, /^[A-G]#? (major|minor) 0\.\d+/);
  assert.equal(fromBundle, keyWith('essentia.js/dist/essentia-wasm.umd.js'));
  useRuntimeBundle(folder);
  try {
    // A bundled decode worker decodes a real file end to end (it answers the message decodeInWorker sends).
    const worker = startWorker('decodeWorker', { workerData: {} });
    const wav = new Uint8Array(44 + 8);
    const view = new DataView(wav.buffer);
    const ascii = (at: number, text: string) => [...text].forEach((c, i) => (wav[at + i] = c.charCodeAt(0)));
    ascii(0, 'RIFF');
    view.setUint32(4, 36 + 8, true);
    ascii(8, 'WAVEfmt ');
    view.setUint32(16, 16, true);
    view.setUint16(20, 1, true);
    view.setUint16(22, 2, true);
    view.setUint32(24, 48000, true);
    view.setUint32(28, 48000 * 4, true);
    view.setUint16(32, 4, true);
    view.setUint16(34, 16, true);
    ascii(36, 'data');
    view.setUint32(40, 8, true);
    view.setInt16(44, 16384, true);
    const reply = await new Promise<{ ok: boolean; sampleRate?: number; channels?: Float32Array[] }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.postMessage({ bytes: wav } satisfies DecodeWorkerRequest, [wav.buffer]);
    });
    await worker.terminate();
    assert.equal(reply.ok, true);
    assert.equal(reply.sampleRate, 48000);
    assert.equal(reply.channels?.[0][0], 0.5);
  } finally {
    useRuntimeBundle(null);
  }
});

test('npx mastering runs from the bundle', () => {
  const bin = fileURLToPath(new URL('../../bin/mastering.js', import.meta.url));
  const run = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.doesNotMatch(run.stderr, /without the runtime bundle/);
});
