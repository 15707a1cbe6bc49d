import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AudioFormatError } from '../types';
import { describeUnsupported, probeAudio, sniffContainer } from './probe';
import { buildAiff, buildWav, testSignal, text } from './testAudioFiles';

describe('probeAudio on WAV/AIFF heads', () => {
  it('reads format and length from the first bytes of a WAV', () => {
    const bytes = buildWav(testSignal(48000, 48000, 2), { format: 's24', sampleRate: 48000, extraChunks: [{ id: 'bext', body: new Uint8Array(602) }] });
    const info = probeAudio(bytes.subarray(0, 1024), bytes.length);
    assert.deepEqual(info, {
      container: 'wav',
      codec: 'pcm_s24le',
      sampleRate: 48000,
      channelCount: 2,
      bitsPerSample: 24,
      frames: 48000,
      durationSeconds: 1,
    });
  });

  it('reads RF64 and AIFF-C heads', () => {
    const rf = buildWav(testSignal(1000, 96000, 1), { format: 'f32', sampleRate: 96000, rf64: true });
    assert.equal(probeAudio(rf.subarray(0, 200), rf.length).frames, 1000);
    const aifc = buildAiff(testSignal(1000, 44100, 2), { format: 's16', compression: 'sowt' });
    const info = probeAudio(aifc.subarray(0, 100), aifc.length);
    assert.equal(info.container, 'aifc');
    assert.equal(info.codec, 'pcm_s16le');
    assert.equal(info.frames, 1000);
  });

  it('rejects an upload whose declared data is longer than the file', () => {
    const bytes = buildWav(testSignal(1000, 44100, 2), { format: 's16' });
    assert.throws(() => probeAudio(bytes.subarray(0, 100), bytes.length - 10), /truncated WAV/);
  });

  it('rejects unmasterable layouts from the header alone', () => {
    const six = buildWav(Array.from({ length: 6 }, () => new Float64Array(100)), { format: 's16' });
    assert.throws(() => probeAudio(six.subarray(0, 64), six.length), /has 6 channels; only mono and stereo can be mastered/);
    const rate = buildWav(testSignal(100, 4000, 1), { format: 's16', sampleRate: 4000 });
    assert.throws(() => probeAudio(rate, rate.length), /sample rate of 4 kHz/);
  });
});

describe('non-audio input', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['PNG', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), /not an audio file: looks like a PNG image/],
    ['JPEG', Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46]), /looks like a JPEG image/],
    ['PDF', text('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n'), /looks like a PDF document/],
    ['ZIP', Uint8Array.from([0x50, 0x4b, 3, 4, 20, 0, 0, 0]), /looks like a ZIP archive/],
    ['HTML', text('<!DOCTYPE html><html><body>hi</body></html>'), /looks like an HTML page/],
    ['text', text('hello, this is not a song\n'), /looks like a text file/],
    ['empty', new Uint8Array(0), /the file is empty/],
    ['CAF', text('caff\x00\x01\x00\x00desc'), /unsupported audio format: Core Audio Format/],
    ['WebM', Uint8Array.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81]), /unsupported audio format: Matroska\/WebM/],
  ];
  for (const [name, bytes, message] of cases) {
    it(`names ${name} input`, () => {
      assert.equal(sniffContainer(bytes), null);
      assert.throws(() => probeAudio(bytes, bytes.length), (e: Error) => {
        assert.ok(e instanceof AudioFormatError);
        assert.match(e.message, message);
        return true;
      });
    });
  }

  it('does not mistake pseudo-random binary for MP3', () => {
    let seed = 12345;
    for (let trial = 0; trial < 50; trial++) {
      const bytes = new Uint8Array(8192);
      for (let i = 0; i < bytes.length; i++) {
        seed = (seed * 1103515245 + 12345) >>> 0;
        bytes[i] = seed >>> 24;
      }
      assert.equal(sniffContainer(bytes), null);
      assert.match(describeUnsupported(bytes), /unrecognised file header/);
    }
  });
});
