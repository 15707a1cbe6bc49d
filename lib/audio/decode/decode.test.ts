import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { AudioFormatError } from '../types';
import { decodeAudio } from './decode';
import { probeAudio } from './probe';
import { buildAiff, buildWav, fixtureSnrDb, testSignal, type ExpectedFixture } from './testAudioFiles';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const expected = JSON.parse(readFileSync(new URL('expected.json', FIXTURES), 'utf8')) as Record<string, ExpectedFixture>;
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(name, FIXTURES)));

describe('decodeAudio on compressed fixtures', () => {
  for (const [name, want] of Object.entries(expected)) {
    // MP4 needs the injected ffmpeg decoder: its fixtures are checked in lib/mastering/ffmpegDecoder.test.ts.
    if (want.container !== 'mp4') it(`decodes ${name} to exactly ${want.frames} frames matching the source`, async () => {
      const out = await decodeAudio(fixture(name));
      assert.equal(out.format.container, want.container);
      assert.equal(out.format.codec, want.codec);
      assert.equal(out.sampleRate, want.sampleRate);
      assert.equal(out.channels.length, want.channelCount);
      assert.equal(out.format.frames, want.frames);
      for (let ch = 0; ch < want.channelCount; ch++) {
        assert.equal(out.channels[ch].length, want.frames);
        const { snr, gain } = fixtureSnrDb(out.channels[ch], ch, want.sampleRate);
        // 16-bit lossless: quantisation noise only (~90 dB). Lossy: the codec's noise, but an offset of even one
        // sample (a gapless error) costs the chirp 15-25 dB of SNR.
        assert.ok(snr > (want.lossless ? 85 : 30), `channel ${ch} SNR ${snr.toFixed(1)} dB`);
        assert.ok(gain > 0.9 && gain < 1.05, `channel ${ch} gain ${gain.toFixed(3)}`);
      }
    });

    it(`probes ${name} from its head (and tail)`, () => {
      const bytes = fixture(name);
      const info = probeAudio(bytes.subarray(0, 64 * 1024), bytes.length, bytes.subarray(Math.max(0, bytes.length - 64 * 1024)));
      assert.equal(info.container, want.container);
      assert.equal(info.codec, want.codec);
      assert.equal(info.sampleRate, want.sampleRate);
      assert.equal(info.channelCount, want.channelCount);
      // Lossless and gapless-tagged streams know their exact length (MP4: edit list bounded by the sample table).
      assert.equal(info.frames, want.frames);
    });
  }
});

describe('decodeAudio dispatch and bad input', () => {
  it('dispatches WAV and AIFF by content, not name', async () => {
    const src = testSignal(500, 44100, 2);
    assert.equal((await decodeAudio(buildWav(src, { format: 's16' }))).format.container, 'wav');
    assert.equal((await decodeAudio(buildAiff(src, { format: 's16' }))).format.container, 'aiff');
  });

  const rejects = async (bytes: Uint8Array, message: RegExp) => {
    await assert.rejects(decodeAudio(bytes), (e: Error) => {
      assert.ok(e instanceof AudioFormatError, `${e.name}: ${e.message}`);
      assert.match(e.message, message);
      return true;
    });
  };

  it('rejects zero bytes and non-audio', async () => {
    await rejects(new Uint8Array(0), /empty/);
    await rejects(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]), /PNG image/);
  });

  it('rejects truncated FLAC, MP3, Vorbis and Opus', async () => {
    for (const name of ['chirp-16k-s16.flac', 'chirp-44k-stereo.mp3', 'chirp-44k.ogg', 'chirp-48k.opus']) {
      const bytes = fixture(name);
      await rejects(bytes.subarray(0, Math.floor(bytes.length / 2)), /truncated|corrupt/);
    }
  });

  it('rejects a FLAC whose frames are garbage', async () => {
    const bytes = fixture('chirp-16k-s16.flac').slice();
    for (let i = 8192; i < bytes.length; i++) bytes[i] = (i * 31) & 0xff;
    await rejects(bytes, /truncated|corrupt/);
  });

  it('refuses output beyond the limits: from the header when it tells the length, else while decoding', async () => {
    // chirp-16k-s16.flac: 24011 frames at 16 kHz (1.5 s), stereo.
    const flac = fixture('chirp-16k-s16.flac');
    await assert.rejects(decodeAudio(flac, { limits: { maxDurationSeconds: 1 } }), (e: Error) => {
      assert.ok(e instanceof AudioFormatError);
      assert.equal(e.message, 'FLAC file claims to hold 1.5 s (0.2 MB as samples); the limit is 1.0 s or 4.3 GB');
      return true;
    });
    await assert.rejects(decodeAudio(flac, { limits: { maxPcmBytes: 24000 * 8 } }), /claims to hold 1.5 s/);
    assert.equal((await decodeAudio(flac, { limits: { maxDurationSeconds: 2, maxPcmBytes: 24011 * 8 } })).format.frames, 24011);
    // STREAMINFO's total of 0 means "unknown": the decoder itself must stop at the limit.
    const unknownLength = flac.slice();
    unknownLength[21] &= 0xf0;
    unknownLength.fill(0, 22, 26);
    assert.equal((await decodeAudio(unknownLength)).format.frames, 24011);
    await assert.rejects(decodeAudio(unknownLength, { limits: { maxDurationSeconds: 1 } }), /decodes to more than the limit/);
    // The same for MP3, Vorbis (its fast path too) and Opus, and for WAV and AIFF from their headers.
    for (const name of ['chirp-44k-stereo.mp3', 'chirp-44k.ogg', 'chirp-48k.opus']) {
      await assert.rejects(decodeAudio(fixture(name), { limits: { maxDurationSeconds: 1 } }), /claims to hold 2.0 s|decodes to more than the limit/, name);
    }
    const src = testSignal(48000, 48000, 2);
    await assert.rejects(decodeAudio(buildWav(src, { format: 'u8', sampleRate: 48000 }), { limits: { maxPcmBytes: 48000 * 8 - 1 } }), /WAV file claims to hold 1.0 s/);
    await assert.rejects(decodeAudio(buildAiff(src, { format: 's16' }), { limits: { maxDurationSeconds: 0.5 } }), /AIFF file claims to hold 1.1 s/);
  });

  it('refuses MP4 without an injected decoder, saying what is missing', async () => {
    await rejects(fixture('chirp-44k-aac.m4a'), /M4A\/AAC\/ALAC decoding needs the external decoder \(ffmpeg\)/);
  });

  it('hands MP4 bytes, and only MP4, to the injected decoder', async () => {
    const seen: Uint8Array[] = [];
    const injected = {
      externalDecoders: {
        mp4: async (bytes: Uint8Array) => {
          seen.push(bytes);
          return decodeAudio(buildWav(testSignal(10, 8000, 1), { format: 's16', sampleRate: 8000 }));
        },
      },
    };
    const m4a = fixture('chirp-16k-s16-alac.m4a');
    assert.equal((await decodeAudio(m4a, injected)).format.frames, 10);
    assert.equal((await decodeAudio(fixture('chirp-48k.opus'), injected)).format.codec, 'opus');
    assert.deepEqual(seen, [m4a]);
  });
});
