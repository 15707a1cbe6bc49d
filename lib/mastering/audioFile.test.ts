/**
 * readAudioFile on real files: WAV is read from the file in pieces straight into the planar output, and must give
 * exactly what decoding the whole file's bytes gives, across piece boundaries and whatever sits before the samples.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { decodeAudio } from '../audio/decode/decode';
import { buildAiff, buildWav, testSignal, text, type AiffOptions, type WavOptions } from '../audio/decode/testAudioFiles';
import { AudioFormatError } from '../audio/types';
import { readAudioFile } from './audioFile';
import { streamAudioFile } from './streamAudioFile';

const dir = mkdtempSync(join(tmpdir(), 'audio-file-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function writeWav(name: string, frames: number, channelCount: number, options: WavOptions): { path: string; bytes: Uint8Array } {
  const bytes = buildWav(testSignal(frames, options.sampleRate ?? 44100, channelCount), options);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { path, bytes };
}

function writeAiff(name: string, frames: number, channelCount: number, options: AiffOptions): { path: string; bytes: Uint8Array } {
  const bytes = buildAiff(testSignal(frames, options.sampleRate ?? 44100, channelCount), options);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return { path, bytes };
}

async function assertSameAsWholeDecode(path: string, bytes: Uint8Array): Promise<void> {
  const fromFile = await readAudioFile(path);
  const fromBytes = await decodeAudio(bytes);
  assert.deepEqual(fromFile.format, fromBytes.format);
  assert.equal(fromFile.sampleRate, fromBytes.sampleRate);
  assert.equal(fromFile.channels.length, fromBytes.channels.length);
  fromFile.channels.forEach((channel, c) => {
    assert.equal(channel.length, fromBytes.channels[c].length);
    // Bit-exact: compare the raw float32 bits.
    assert.deepEqual(new Uint32Array(channel.buffer, channel.byteOffset, channel.length), new Uint32Array(fromBytes.channels[c].buffer, fromBytes.channels[c].byteOffset, fromBytes.channels[c].length));
  });
}

describe('readAudioFile', () => {
  it('reads and decodes a file by content', async () => {
    const path = join(dir, 'take.aiff'); // misleading extension on purpose: content decides
    await writeFile(path, buildWav(testSignal(2000, 44100, 2), { format: 's16' }));
    const out = await readAudioFile(path);
    assert.equal(out.format.container, 'wav');
    assert.equal(out.format.frames, 2000);
  });

  it('prefixes errors with the file name', async () => {
    const path = join(dir, 'photo.wav');
    await writeFile(path, Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
    await assert.rejects(readAudioFile(path), (e: Error) => {
      assert.ok(e instanceof AudioFormatError);
      assert.equal(e.message, 'photo.wav: not an audio file: looks like a PNG image');
      return true;
    });
    await assert.rejects(readAudioFile(join(dir, 'missing.wav')), /missing\.wav: file not found/);
    const cut = buildWav(testSignal(2000, 44100, 2), { format: 's16' });
    await writeFile(join(dir, 'cut.wav'), cut.subarray(0, 4000));
    await assert.rejects(readAudioFile(join(dir, 'cut.wav')), /cut\.wav: truncated WAV: data chunk declares 8000 bytes, file has 3956/);
  });

  it('decodes M4A (AAC) through ffmpeg with the exact gapless length', async () => {
    const path = join(dir, 'song.wav'); // the name lies; the ftyp box decides
    await copyFile(new URL('../audio/decode/fixtures/chirp-44k-aac.m4a', import.meta.url), path);
    const out = await readAudioFile(path);
    assert.equal(out.format.container, 'mp4');
    assert.equal(out.format.codec, 'aac');
    assert.equal(out.format.frames, 88237);
    assert.equal(out.channels[1].length, 88237);
  });

  it('names the file in MP4 errors too', async () => {
    const bytes = await readFile(new URL('../audio/decode/fixtures/chirp-16k-s16-alac.m4a', import.meta.url));
    await writeFile(join(dir, 'half.m4a'), bytes.subarray(0, bytes.length >> 1));
    await assert.rejects(readAudioFile(join(dir, 'half.m4a')), (e: Error) => {
      assert.ok(e instanceof AudioFormatError);
      assert.match(e.message, /^half\.m4a: truncated MP4: the index \(moov box\) is missing or cut off$/);
      return true;
    });
  });

  it('reads a 24-bit stereo WAV larger than one read buffer, with odd chunks before the samples, bit-exactly', async () => {
    // 4 MB pieces: 900 000 frames of 6 bytes span two pieces and end inside the second.
    const { path, bytes } = writeWav('long.wav', 900_000, 2, { format: 's24', extraChunks: [{ id: 'bext', body: new Uint8Array(603) }, { id: 'iXML', body: text('<BWFXML/>') }] });
    await assertSameAsWholeDecode(path, bytes);
  });

  it('reads float, extensible, 16-bit mono and RF64 layouts bit-exactly', async () => {
    for (const [name, channels, options] of [
      ['f32.wav', 2, { format: 'f32' }],
      ['ext.wav', 2, { format: 's24', extensible: true, validBits: 20, sampleRate: 96000 }],
      ['mono.wav', 1, { format: 's16', sampleRate: 48000 }],
      ['rf64.wav', 2, { format: 's16', rf64: true }],
    ] as const) {
      const { path, bytes } = writeWav(name, 123_457, channels, options);
      await assertSameAsWholeDecode(path, bytes);
    }
  });

  it('leaves a header longer than its first megabyte to the general decoder, which still decodes it', async () => {
    const { path, bytes } = writeWav('big-header.wav', 10_000, 2, { format: 's16', extraChunks: [{ id: 'junk', body: new Uint8Array(1_500_000) }] });
    await assertSameAsWholeDecode(path, bytes);
  });

  it('names the file and the problem for a WAV whose data chunk claims more than the file holds', async () => {
    const { path } = writeWav('truncated.wav', 10_000, 2, { format: 's16', dataSizeField: 10_000 * 4 + 4000 });
    await assert.rejects(readAudioFile(path), (e: unknown) => e instanceof AudioFormatError && /^truncated\.wav: truncated WAV/.test(e.message));
  });

  it('refuses a WAV longer than the duration limit before allocating its samples', async () => {
    const { path } = writeWav('too-long.wav', 48_000, 2, { format: 's16', sampleRate: 8000 });
    await assert.rejects(readAudioFile(path, { maxDurationSeconds: 5 }), (e: unknown) => e instanceof AudioFormatError && /too-long\.wav: WAV file claims to hold 6\.0 s/.test(e.message));
  });

  it('reads AIFF and AIFF-C (big- and little-endian integer, float) from the file in pieces, bit-exactly', async () => {
    const files: [string, number, AiffOptions][] = [
      ['long.aiff', 2, { format: 's24', extraChunks: [{ id: 'NAME', body: text('take 3') }] }],
      ['sowt.aifc', 2, { format: 's16', compression: 'sowt', sampleRate: 48000 }],
      ['float.aifc', 2, { format: 'f32', compression: 'fl32' }],
      ['mono.aiff', 1, { format: 's16', sampleRate: 96000 }],
    ];
    for (const [name, channels, options] of files) {
      // 900 000 stereo 24-bit frames span several 1 MB reads and end inside the last.
      const { path, bytes } = writeAiff(name, name === 'long.aiff' ? 900_000 : 123_457, channels, options);
      await assertSameAsWholeDecode(path, bytes);
    }
  });

  it('streams an AIFF in pieces (no whole-file buffer) with exactly the samples of a whole decode', async () => {
    const { path, bytes } = writeAiff('streamed.aiff', 700_001, 2, { format: 's24' });
    const whole = await decodeAudio(bytes);
    const got = await streamAudioFile<{ pieces: number; channels: Float32Array[] }>(path, {
      open: async (sampleRate, channelCount, expectedFrames) => {
        assert.equal(sampleRate, 44100);
        assert.equal(channelCount, 2);
        assert.equal(expectedFrames, 700_001);
        const channels = [new Float32Array(expectedFrames), new Float32Array(expectedFrames)];
        let at = 0;
        let pieces = 0;
        return {
          push: (piece, frames) => {
            piece.forEach((c, ch) => channels[ch].set(c.subarray(0, frames), at));
            at += frames;
            pieces++;
          },
          finish: async (format) => {
            assert.deepEqual(format, whole.format);
            assert.equal(at, 700_001);
            return { pieces, channels };
          },
        };
      },
      whole: async () => assert.fail('an AIFF must be streamed, not decoded whole'),
    });
    assert.ok(got.pieces > 1, `${got.pieces} pieces`);
    got.channels.forEach((c, ch) => assert.deepEqual(new Uint32Array(c.buffer), new Uint32Array(whole.channels[ch].buffer, whole.channels[ch].byteOffset, whole.channels[ch].length)));
  });

  it('names the file and the problem for a truncated AIFF, and refuses one longer than the duration limit', async () => {
    const { bytes } = writeAiff('whole.aiff', 10_000, 2, { format: 's16' });
    await writeFile(join(dir, 'cut.aiff'), bytes.subarray(0, bytes.length - 4000));
    await assert.rejects(readAudioFile(join(dir, 'cut.aiff')), (e: unknown) => e instanceof AudioFormatError && /^cut\.aiff: truncated AIFF/.test(e.message));
    const { path } = writeAiff('too-long.aiff', 48_000, 2, { format: 's16', sampleRate: 8000 });
    await assert.rejects(readAudioFile(path, { maxDurationSeconds: 5 }), (e: unknown) => e instanceof AudioFormatError && /too-long\.aiff: AIFF file claims to hold 6\.0 s/.test(e.message));
  });
});
