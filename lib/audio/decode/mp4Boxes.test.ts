import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { AudioFormatError } from '../types';
import { findMoov, moovFirstSegments, readAudioTrack } from './mp4Boxes';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

/** Chunk offsets (stco) of the first track, read naively: enough for the single-track fixtures. */
function chunkOffsets(b: Uint8Array): number[] {
  const at = Buffer.from(b.buffer, b.byteOffset, b.byteLength).indexOf('stco');
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const count = view.getUint32(at + 8, false);
  return Array.from({ length: count }, (_, i) => view.getUint32(at + 12 + 4 * i, false));
}

describe('readAudioTrack', () => {
  it('reads the gapless layout of the AAC fixture from its edit list and sample table', () => {
    const b = fixture('chirp-44k-aac.m4a');
    const track = readAudioTrack(b, findMoov(b)!);
    assert.equal(track.codec, 'aac');
    assert.equal(track.sampleRate, 44100);
    // ffmpeg's AAC encoder primes 1024 samples and shortens the last stts entry to the real end; the edit list
    // duration is in milliseconds (88244 samples), so the sample table must bound it.
    assert.equal(track.sampleTableFrames, 1024 + 88237);
    assert.deepEqual(track.gapless, { skipFrames: 1024, keepFrames: 88237, source: 'elst' });
  });

  it('needs no trim for ALAC', () => {
    const b = fixture('chirp-16k-s16-alac.m4a');
    const track = readAudioTrack(b, findMoov(b)!);
    assert.equal(track.bitsPerSample, 16);
    assert.deepEqual(track.gapless, { skipFrames: 0, keepFrames: 24011, source: 'none' });
  });

  it('takes the channel count from the AAC config, not the sample entry (ffmpeg writes 2 there even for 5.1)', () => {
    const b = fixture('chirp-44k-aac.m4a').slice();
    // AudioSpecificConfig 0x12 0x10: AAC-LC, 44.1 kHz, channel configuration 2. Configuration 6 (5.1) is 0x12 0x30.
    const asc = Buffer.from(b).indexOf(Buffer.from([0x05, 0x80, 0x80, 0x80, 0x05, 0x12, 0x10]));
    assert.ok(asc > 0, 'fixture has the expected AudioSpecificConfig');
    b[asc + 6] = 0x30;
    assert.equal(readAudioTrack(b, findMoov(b)!).channelCount, 6);
    b[asc + 6] = 0x08; // configuration 1: mono
    assert.equal(readAudioTrack(b, findMoov(b)!).channelCount, 1);
  });

  it('turns a box running past its parent into an AudioFormatError', () => {
    const b = fixture('chirp-44k-aac.m4a').slice();
    const stts = Buffer.from(b).indexOf('stts');
    new DataView(b.buffer).setUint32(stts + 8, 0x7fffffff, false); // entry count far past the box
    const track = readAudioTrack(b, findMoov(b)!);
    assert.ok(Number.isFinite(track.sampleTableFrames), 'the count is bounded by the box size');
    const mdhd = Buffer.from(b).indexOf('mdhd');
    new DataView(b.buffer).setUint32(mdhd - 4, 0x00ffffff, false);
    assert.throws(() => readAudioTrack(b, findMoov(b)!), AudioFormatError);
  });
});

describe('moovFirstSegments', () => {
  for (const name of ['chirp-44k-aac.m4a', 'chirp-16k-s16-alac.m4a']) {
    it(`puts the index of ${name} first with chunk offsets that still point at the same media bytes`, () => {
      const original = fixture(name);
      // A Node Buffer inside a larger pool, as fs.readFile gives: slice() is a view there and byteOffset is not 0.
      const pool = Buffer.alloc(original.length + 100);
      pool.set(original, 37);
      const input = pool.subarray(37, 37 + original.length);
      const segments = moovFirstSegments(input);
      const out = new Uint8Array(Buffer.concat(segments));
      assert.equal(out.length, original.length);
      assert.deepEqual(new Uint8Array(input), original, 'the input is not modified');
      const moov = findMoov(out);
      assert.ok(moov && moov.start < Buffer.from(out).indexOf('mdat'));
      const before = chunkOffsets(original);
      const afterOffsets = chunkOffsets(out);
      assert.equal(afterOffsets.length, before.length);
      for (let i = 0; i < before.length; i++) {
        assert.deepEqual(out.subarray(afterOffsets[i], afterOffsets[i] + 64), original.subarray(before[i], before[i] + 64));
      }
      assert.deepEqual(moovFirstSegments(out), [out], 'already fast-start: passed through untouched');
    });
  }

  it('says so when the index is missing', () => {
    const b = fixture('chirp-44k-aac.m4a');
    assert.throws(() => moovFirstSegments(b.subarray(0, 4000)), /truncated MP4: the index \(moov box\) is missing/);
  });
});
