import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildWav, testSignal } from '../audio/decode/testAudioFiles';
import { AudioFormatError } from '../audio/types';
import { readAudioFile } from './audioFile';

describe('readAudioFile', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'audiofile-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

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
});
