import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { AudioFormatError } from '../types';
import { decodeInWorker, decodeStreamInWorker, type DecodeStreamConsumer } from './decodeInWorker';
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

describe('decodeStreamInWorker', () => {
  /** A consumer that keeps what it is given (copies: the views are only valid during the call). */
  function collector(): DecodeStreamConsumer & { started: number; pieces: Float32Array[][] } {
    const c = {
      started: 0,
      pieces: [] as Float32Array[][],
      start: () => {
        c.started++;
      },
      samples: (channels: Float32Array[], frames: number) => {
        c.pieces.push(channels.map((x) => x.slice(0, frames)));
      },
    };
    return c;
  }
  const joined = (pieces: Float32Array[][], channel: number) => {
    const out = new Float32Array(pieces.reduce((n, p) => n + p[channel].length, 0));
    let at = 0;
    for (const p of pieces) {
      out.set(p[channel], at);
      at += p[channel].length;
    }
    return out;
  };

  it('streams Ogg Vorbis through the ring: the same samples as the whole decode, in order', async () => {
    const whole = await decodeInWorker(fixture('chirp-44k.ogg'));
    const c = collector();
    const result = await decodeStreamInWorker(fixture('chirp-44k.ogg'), c);
    assert.ok(result.streamed);
    assert.deepEqual(result.format, whole.format);
    assert.equal(c.started, 1);
    whole.channels.forEach((channel, i) => assert.deepEqual(joined(c.pieces, i), channel));
  });

  it('streams FLAC, MP3 and Opus too, with the channels the header declares', async () => {
    for (const name of ['chirp-16k-s16.flac', 'chirp-22k-mono.mp3', 'chirp-48k.opus']) {
      const whole = await decodeInWorker(fixture(name));
      const c = collector();
      const result = await decodeStreamInWorker(fixture(name), c);
      assert.ok(result.streamed, name);
      assert.deepEqual(result.format, whole.format, name);
      assert.equal(c.pieces[0].length, whole.channels.length, name);
      whole.channels.forEach((channel, i) => assert.deepEqual(joined(c.pieces, i), channel, name));
    }
  });

  it('decodes WAV whole and gives the consumer nothing', async () => {
    const c = collector();
    const result = await decodeStreamInWorker(buildWav(testSignal(4000, 48000, 2), { format: 's16', sampleRate: 48000 }), c);
    assert.equal(result.streamed, false);
    assert.equal(c.started, 0);
  });

  it('a damaged stream fails with the whole decode\'s reason, after what it streamed', async () => {
    const ogg = fixture('chirp-44k.ogg');
    const cut = ogg.slice(0, Math.floor(ogg.length * 0.6));
    const expected = await decodeInWorker(cut).then(() => null, (e: Error) => e.message);
    const outcome = await decodeStreamInWorker(cut, collector()).then(() => null, (e: Error) => e);
    if (expected === null) assert.equal(outcome, null);
    else {
      assert.ok(outcome instanceof AudioFormatError);
      assert.equal(outcome.message, expected);
    }
  });

  it('a consumer that throws stops the decode and rejects with its error (no hang, no stray thread)', async () => {
    const c: DecodeStreamConsumer = {
      start: () => {},
      samples: () => {
        throw new Error('consumer gave up');
      },
    };
    await assert.rejects(decodeStreamInWorker(fixture('chirp-44k.ogg'), c), /consumer gave up/);
  });
});
