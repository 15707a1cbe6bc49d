import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AudioFormatError } from '../types';
import { buildWav, quantised, testSignal, text, type TestSampleFormat } from './testAudioFiles';
import { decodeWav } from './wav';

const RATE = 48000;
const FRAMES = 1000;

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

describe('decodeWav', () => {
  const formats: [TestSampleFormat, string][] = [
    ['u8', 'pcm_u8'],
    ['s16', 'pcm_s16le'],
    ['s24', 'pcm_s24le'],
    ['s32', 'pcm_s32le'],
    ['f32', 'pcm_f32le'],
    ['f64', 'pcm_f64le'],
  ];
  for (const [f, codec] of formats) {
    for (const channelCount of [1, 2]) {
      it(`decodes ${codec} ${channelCount === 1 ? 'mono' : 'stereo'} exactly`, () => {
        const src = testSignal(FRAMES, RATE, channelCount);
        const out = decodeWav(buildWav(src, { format: f, sampleRate: RATE }));
        assert.equal(out.format.codec, codec);
        assert.equal(out.format.container, 'wav');
        assert.equal(out.format.frames, FRAMES);
        assert.equal(out.sampleRate, RATE);
        assertExact(out.channels, src, f);
      });
    }
    it(`decodes WAVE_FORMAT_EXTENSIBLE ${codec}`, () => {
      const src = testSignal(FRAMES, RATE, 2);
      const out = decodeWav(buildWav(src, { format: f, sampleRate: RATE, extensible: true }));
      assert.equal(out.format.codec, codec);
      assertExact(out.channels, src, f);
    });
  }

  it('reports valid bits of an extensible 24-in-32 file', () => {
    const src = testSignal(FRAMES, RATE, 2);
    const out = decodeWav(buildWav(src, { format: 's32', extensible: true, validBits: 24 }));
    assert.equal(out.format.bitsPerSample, 24);
    assertExact(out.channels, src, 's32');
  });

  it('decodes RF64 with the data size in ds64', () => {
    const src = testSignal(FRAMES, RATE, 2);
    const out = decodeWav(buildWav(src, { format: 's24', rf64: true, sampleRate: RATE }));
    assert.equal(out.format.container, 'rf64');
    assert.equal(out.format.frames, FRAMES);
    assertExact(out.channels, src, 's24');
  });

  it('decodes BW64 (ITU-R BS.2088: RF64 layout under its own magic)', () => {
    const src = testSignal(FRAMES, RATE, 2);
    const bytes = buildWav(src, { format: 'f32', rf64: true, sampleRate: RATE });
    bytes.set(text('BW64'), 0);
    const out = decodeWav(bytes);
    assert.equal(out.format.frames, FRAMES);
    assertExact(out.channels, src, 'f32');
  });

  it('skips an odd-sized unknown chunk (with its pad byte) and bext/iXML before data', () => {
    const src = testSignal(FRAMES, RATE, 2);
    const bytes = buildWav(src, {
      format: 's16',
      extraChunks: [
        { id: 'junk', body: new Uint8Array(7).fill(0xab) },
        { id: 'bext', body: new Uint8Array(602) },
        { id: 'iXML', body: text('<?xml version="1.0"?><BWFXML><PROJECT>x</PROJECT></BWFXML>') },
      ],
    });
    const out = decodeWav(bytes);
    assertExact(out.channels, src, 's16');
  });

  it('accepts an odd-sized chunk written without its pad byte', () => {
    const src = testSignal(FRAMES, RATE, 1);
    const good = buildWav(src, { format: 's16', extraChunks: [{ id: 'abcd', body: new Uint8Array(3) }] });
    // Remove the pad byte after the 3-byte chunk: 12 RIFF + 24 fmt + 8 + 3 = 47.
    const bytes = new Uint8Array(good.length - 1);
    bytes.set(good.subarray(0, 47), 0);
    bytes.set(good.subarray(48), 47);
    assertExact(decodeWav(bytes).channels, src, 's16');
  });

  it('reads a 0 or 0xFFFFFFFF data size (streaming writers) as "to end of file"', () => {
    const src = testSignal(FRAMES, RATE, 2);
    for (const field of [0, 0xffffffff]) {
      const out = decodeWav(buildWav(src, { format: 's16', dataSizeField: field }));
      assert.equal(out.format.frames, FRAMES);
    }
  });

  it('rejects a truncated data chunk with the declared and actual sizes', () => {
    const bytes = buildWav(testSignal(FRAMES, RATE, 2), { format: 's16' });
    const cut = bytes.subarray(0, bytes.length - 1000);
    assert.throws(() => decodeWav(cut), (e: Error) => {
      assert.ok(e instanceof AudioFormatError);
      assert.match(e.message, /truncated WAV: data chunk declares 4000 bytes, file has 3000/);
      return true;
    });
  });

  it('rejects 6 channels and a 4 kHz rate in plain words', () => {
    const six = Array.from({ length: 6 }, () => new Float64Array(10));
    assert.throws(() => decodeWav(buildWav(six, { format: 's16' })), /has 6 channels; only mono and stereo can be mastered/);
    const low = buildWav(testSignal(100, 4000, 1), { format: 's16', sampleRate: 4000 });
    assert.throws(() => decodeWav(low), /sample rate of 4 kHz; only 8 kHz to 384 kHz/);
  });

  it('accepts 8 kHz and 384 kHz, the ends of the supported range, and nothing beyond', () => {
    for (const rate of [8000, 384000]) {
      const src = testSignal(FRAMES, rate, 2);
      const out = decodeWav(buildWav(src, { format: 's24', sampleRate: rate }));
      assert.equal(out.sampleRate, rate);
      assertExact(out.channels, src, 's24');
    }
    assert.throws(() => decodeWav(buildWav(testSignal(100, 7999, 1), { format: 's16', sampleRate: 7999 })), /7999 Hz; only 8 kHz to 384 kHz/);
    assert.throws(() => decodeWav(buildWav(testSignal(100, 384001, 1), { format: 's16', sampleRate: 384001 })), /384001 Hz; only 8 kHz to 384 kHz/);
  });

  it('rejects garbage after a valid RIFF header', () => {
    const bytes = new Uint8Array(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + 13) & 0xff;
    bytes.set(text('RIFF'), 0);
    bytes.set(text('WAVE'), 8);
    assert.throws(() => decodeWav(bytes), AudioFormatError);
  });

  it('rejects unsupported encodings by name', () => {
    const bytes = buildWav(testSignal(10, RATE, 1), { format: 's16' });
    new DataView(bytes.buffer).setUint16(20, 0x0055, true);
    assert.throws(() => decodeWav(bytes), /MP3 \(format tag 0x0055\) is not supported/);
  });
});
