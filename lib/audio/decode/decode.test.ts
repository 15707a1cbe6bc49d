import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { AudioFormatError } from '../types';
import { decodeAudio } from './decode';
import { probeAudio } from './probe';
import { buildAiff, buildWav, testSignal } from './testAudioFiles';

const FIXTURES = new URL('./fixtures/', import.meta.url);
interface Expected {
  container: string;
  codec: string;
  sampleRate: number;
  channelCount: number;
  frames: number;
  lossless: boolean;
}
const expected = JSON.parse(readFileSync(new URL('expected.json', FIXTURES), 'utf8')) as Record<string, Expected>;
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(name, FIXTURES)));

/** The chirps of fixtures/make-fixtures.sh. */
function fixtureSignal(channel: number, i: number, rate: number): number {
  const t = i / rate;
  return channel === 0 ? 0.5 * Math.sin(2 * Math.PI * (200 * t + 400 * t * t)) : 0.4 * Math.sin(2 * Math.PI * (300 * t + 300 * t * t));
}

/** SNR against the source after the best-fitting gain (the MP3 encoder scales its input by 0.95), and that gain. */
function snrDb(decoded: Float32Array, channel: number, rate: number): { snr: number; gain: number } {
  let cross = 0;
  let power = 0;
  for (let i = 0; i < decoded.length; i++) {
    const want = fixtureSignal(channel, i, rate);
    cross += decoded[i] * want;
    power += want * want;
  }
  const gain = cross / power;
  let noise = 0;
  for (let i = 0; i < decoded.length; i++) noise += (decoded[i] - gain * fixtureSignal(channel, i, rate)) ** 2;
  return { snr: 10 * Math.log10((gain * gain * power) / noise), gain };
}

describe('decodeAudio on compressed fixtures', () => {
  for (const [name, want] of Object.entries(expected)) {
    it(`decodes ${name} to exactly ${want.frames} frames matching the source`, async () => {
      const out = await decodeAudio(fixture(name));
      assert.equal(out.format.container, want.container);
      assert.equal(out.format.codec, want.codec);
      assert.equal(out.sampleRate, want.sampleRate);
      assert.equal(out.channels.length, want.channelCount);
      assert.equal(out.format.frames, want.frames);
      for (let ch = 0; ch < want.channelCount; ch++) {
        assert.equal(out.channels[ch].length, want.frames);
        const { snr, gain } = snrDb(out.channels[ch], ch, want.sampleRate);
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
      // Lossless and gapless-tagged streams know their exact length; AAC's mdhd includes the encoder priming.
      if (want.codec === 'aac') assert.ok(Math.abs(info.frames - want.frames) < 2048 + 1024);
      else assert.equal(info.frames, want.frames);
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

  it('rejects truncated FLAC, MP3, Vorbis, Opus and M4A', async () => {
    for (const name of ['chirp-16k-s16.flac', 'chirp-44k-stereo.mp3', 'chirp-44k.ogg', 'chirp-48k.opus', 'chirp-44k-aac.m4a']) {
      const bytes = fixture(name);
      await rejects(bytes.subarray(0, Math.floor(bytes.length / 2)), /truncated|corrupt/);
    }
  });

  it('rejects a FLAC whose frames are garbage', async () => {
    const bytes = fixture('chirp-16k-s16.flac').slice();
    for (let i = 8192; i < bytes.length; i++) bytes[i] = (i * 31) & 0xff;
    await rejects(bytes, /truncated|corrupt/);
  });
});
