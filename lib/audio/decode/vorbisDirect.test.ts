import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import vorbisPackageDecode from '@audio/decode-vorbis';
import { decodeVorbisDirect } from './vorbisDirect';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const ogg = new Uint8Array(readFileSync(new URL('chirp-44k.ogg', FIXTURES)));
const FRAMES = 88237; // fixtures/expected.json

function pages(bytes: Uint8Array): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  for (let p = 0; p < bytes.length;) {
    const body = p + 27 + bytes[p + 26];
    let end = body;
    for (let i = p + 27; i < body; i++) end += bytes[i];
    out.push({ start: p, end });
    p = end;
  }
  return out;
}

describe('decodeVorbisDirect', () => {
  it('gives the same samples as the package decoder, trimmed to the last granule', async () => {
    const direct = await decodeVorbisDirect(ogg, FRAMES);
    assert.ok(direct);
    const reference = await vorbisPackageDecode(ogg);
    assert.equal(direct.sampleRate, 44100);
    assert.deepEqual(direct.errors, []);
    assert.equal(direct.channels.length, 2);
    for (let ch = 0; ch < 2; ch++) {
      assert.equal(direct.channels[ch].length, FRAMES);
      assert.equal(reference.channelData[ch].length, FRAMES);
      assert.deepEqual(direct.channels[ch], reference.channelData[ch]);
    }
  });

  it('stops at the output cap instead of growing past it', async () => {
    const tooLong = (frames: number) => new RangeError(`over the cap at ${frames}`);
    await assert.rejects(decodeVorbisDirect(ogg, NaN, { maxFrames: 50_000, tooLong }), /over the cap at/);
    const fits = await decodeVorbisDirect(ogg, NaN, { maxFrames: FRAMES + 4096, tooLong });
    assert.equal(fits?.channels[0].length, FRAMES);
  });

  it('does not depend on the length hint being right', async () => {
    for (const hint of [NaN, 1000, FRAMES * 3]) {
      const direct = await decodeVorbisDirect(ogg, hint);
      assert.ok(direct);
      assert.equal(direct.channels[0].length, FRAMES, `hint ${hint}`);
      // Never a view into a buffer mostly made of slack.
      assert.ok(direct.channels[0].buffer.byteLength <= FRAMES * 4 * 1.04, `hint ${hint}`);
    }
  });

  it('leaves chained streams to the general decoder before a sample reaches a sink', async () => {
    const chained = new Uint8Array(ogg.length * 2);
    chained.set(ogg);
    chained.set(ogg, ogg.length);
    assert.equal(await decodeVorbisDirect(chained, FRAMES * 2), null);
    let written = 0;
    const sink = { start: () => undefined, write: (_: Float32Array[], frames: number) => void (written += frames) };
    assert.equal(await decodeVorbisDirect(chained, FRAMES * 2, undefined, sink), null);
    assert.equal(written, 0);
  });

  it('ends the stream at its last page, ignoring pages an encoder left after it under the same serial', async () => {
    // Seen in the corpus (wesnoth_northerners.ogg): more pages flagged as the last, with later granules. Taking them
    // for a chained stream sent the whole file to the general decoder after it had been streamed once already.
    const last = pages(ogg).at(-1)!;
    const trailing = new Uint8Array(ogg.length + 2 * (last.end - last.start));
    trailing.set(ogg);
    trailing.set(ogg.subarray(last.start, last.end), ogg.length);
    trailing.set(ogg.subarray(last.start, last.end), ogg.length + last.end - last.start);
    let written = 0;
    const sink = { start: () => undefined, write: (_: Float32Array[], frames: number) => void (written += frames) };
    const streamed = await decodeVorbisDirect(trailing, FRAMES, undefined, sink);
    assert.ok(streamed);
    assert.equal(written, FRAMES);
    const whole = await decodeVorbisDirect(trailing, FRAMES);
    assert.deepEqual(whole?.channels, (await decodeVorbisDirect(ogg, FRAMES))?.channels);
  });

  it('stops at a cut-off page, resyncs past junk between pages and survives garbage packets', async () => {
    const all = pages(ogg);
    assert.ok(all.length >= 4);
    const cut = ogg.subarray(0, all[all.length - 1].start + 40);
    const truncated = await decodeVorbisDirect(cut, FRAMES);
    assert.ok(truncated);
    assert.ok(truncated.channels[0].length > 0 && truncated.channels[0].length < FRAMES);

    // 100 bytes of junk before the first audio page: skipped, and that page still decodes.
    const junk = Uint8Array.from({ length: 100 }, (_, i) => (i * 37) & 0xff);
    const audioStart = all[2].start;
    const withJunk = new Uint8Array(ogg.length + junk.length);
    withJunk.set(ogg.subarray(0, audioStart));
    withJunk.set(junk, audioStart);
    withJunk.set(ogg.subarray(audioStart), audioStart + junk.length);
    const resynced = await decodeVorbisDirect(withJunk, FRAMES);
    assert.ok(resynced);
    assert.equal(resynced.channels[0].length, FRAMES);

    // Garbage inside an audio page's packets (headers and lacing intact): libvorbis may decode noise or report
    // errors, but nothing escapes from the WASM and the stream still ends where its last granule says.
    const damaged = ogg.slice();
    const victim = all[2];
    for (let i = victim.start + 27 + damaged[victim.start + 26] + 1; i < victim.end; i++) damaged[i] = (i * 37) & 0xff;
    const result = await decodeVorbisDirect(damaged, FRAMES);
    assert.ok(result);
    assert.ok(result.channels[0].length <= FRAMES);
  });
});
