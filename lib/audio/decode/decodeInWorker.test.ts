import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { AudioFormatError } from '../types';
import { decodeInWorker } from './decodeInWorker';
import { buildWav, testSignal } from './testAudioFiles';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

describe('decodeInWorker', () => {
  it('decodes in a worker and hands back the PCM', async () => {
    const src = testSignal(4000, 48000, 2);
    const out = await decodeInWorker(buildWav(src, { format: 's24', sampleRate: 48000 }));
    assert.equal(out.format.frames, 4000);
    assert.equal(out.channels.length, 2);
    assert.ok(Math.abs(out.channels[1][123] - src[1][123]) < 1e-6);
  });

  it('moves the input instead of copying it when asked', async () => {
    const bytes = new Uint8Array(fixture('chirp-44k.ogg'));
    const out = await decodeInWorker(bytes, { transferInput: true });
    assert.equal(out.format.frames, 88237);
    assert.equal(bytes.byteLength, 0);
  });

  it('turns bad input into an AudioFormatError and keeps the process alive', async () => {
    const garbage = new Uint8Array(100_000).map((_, i) => (i * 7919) & 0xff);
    await assert.rejects(decodeInWorker(garbage), AudioFormatError);
    const forged = fixture('chirp-16k-s16.flac').slice();
    // STREAMINFO total samples = 2^36 - 1: a forged length must not make the decoder allocate it.
    forged[21] |= 0x0f; // fLaC(4) + block header(4) + 10 bytes into STREAMINFO + 3
    forged.fill(0xff, 22, 26);
    await assert.rejects(decodeInWorker(forged), /FLAC file claims to hold 1193 h .*; the limit is 3 h/);
    const after = await decodeInWorker(fixture('chirp-48k.opus'));
    assert.equal(after.format.frames, 96001);
  });

  it('applies output limits inside the worker (the heap cap does not see typed arrays or WASM memory)', async () => {
    await assert.rejects(decodeInWorker(fixture('chirp-48k.opus'), { limits: { maxDurationSeconds: 1 } }), (e: Error) => {
      assert.ok(e instanceof AudioFormatError, `${e.name}: ${e.message}`);
      assert.match(e.message, /OPUS file claims to hold 2.0 s .*; the limit is 1.0 s/);
      return true;
    });
  });

  it('gives up on a decode that exceeds its time limit', async () => {
    await assert.rejects(decodeInWorker(fixture('chirp-44k.ogg'), { timeoutMs: 1 }), /did not finish within/);
  });

  it('refuses MP4, which needs the external decoder the worker does not have', async () => {
    await assert.rejects(decodeInWorker(fixture('chirp-44k-aac.m4a')), (e: Error) => {
      assert.ok(e instanceof AudioFormatError);
      assert.match(e.message, /needs the external decoder \(ffmpeg\)/);
      return true;
    });
  });
});
