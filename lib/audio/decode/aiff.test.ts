import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AudioFormatError } from '../types';
import { decodeAiff, readExtended } from './aiff';
import { buildAiff, extended, quantised, testSignal, type TestSampleFormat } from './testAudioFiles';

const RATE = 44100;
const FRAMES = 777;

function assertExact(decoded: Float32Array[], source: Float64Array[], f: TestSampleFormat) {
  assert.equal(decoded.length, source.length);
  for (let ch = 0; ch < source.length; ch++) {
    assert.equal(decoded[ch].length, source[ch].length);
    for (let i = 0; i < source[ch].length; i++) {
      const want = Math.fround(quantised(source[ch][i], f));
      if (decoded[ch][i] !== want) assert.fail(`ch ${ch} sample ${i}: got ${decoded[ch][i]}, want ${want}`);
    }
  }
}

describe('decodeAiff', () => {
  for (const f of ['s8', 's16', 's24', 's32'] as const) {
    it(`decodes big-endian AIFF ${f} stereo exactly`, () => {
      const src = testSignal(FRAMES, RATE, 2);
      const out = decodeAiff(buildAiff(src, { format: f }));
      assert.equal(out.format.container, 'aiff');
      assert.equal(out.format.frames, FRAMES);
      assert.equal(out.sampleRate, RATE);
      assertExact(out.channels, src, f);
    });
  }
  const aifc: [string, TestSampleFormat, 'NONE' | 'sowt' | 'fl32' | 'fl64', string][] = [
    ['NONE 24-bit', 's24', 'NONE', 'pcm_s24be'],
    ['sowt 16-bit', 's16', 'sowt', 'pcm_s16le'],
    ['sowt 24-bit', 's24', 'sowt', 'pcm_s24le'],
    ['fl32', 'f32', 'fl32', 'pcm_f32be'],
    ['fl64', 'f64', 'fl64', 'pcm_f64be'],
  ];
  for (const [name, f, compression, codec] of aifc) {
    it(`decodes AIFF-C ${name} exactly`, () => {
      const src = testSignal(FRAMES, 96000, 2);
      const out = decodeAiff(buildAiff(src, { format: f, compression, sampleRate: 96000 }));
      assert.equal(out.format.container, 'aifc');
      assert.equal(out.format.codec, codec);
      assert.equal(out.sampleRate, 96000);
      assertExact(out.channels, src, f);
    });
  }

  it('reads 80-bit extended sample rates', () => {
    for (const rate of [8000, 22050, 44100, 48000, 88200, 192000, 384000]) {
      const b = extended(rate);
      assert.equal(readExtended(new DataView(b.buffer), 0), rate);
    }
  });

  it('rejects truncated sound data', () => {
    const bytes = buildAiff(testSignal(FRAMES, RATE, 2), { format: 's16' });
    assert.throws(() => decodeAiff(bytes.subarray(0, bytes.length - 100)), (e: Error) => {
      assert.ok(e instanceof AudioFormatError);
      assert.match(e.message, /truncated AIFF/);
      return true;
    });
  });

  it('rejects unsupported compression by name', () => {
    const bytes = buildAiff(testSignal(10, RATE, 1), { format: 's16', compression: 'NONE' });
    const at = bytes.indexOf(0x4e, 30); // 'N' of NONE inside COMM
    bytes.set([0x75, 0x6c, 0x61, 0x77], at); // 'ulaw'
    assert.throws(() => decodeAiff(bytes), /compression 'ulaw' is not supported/);
  });
});
