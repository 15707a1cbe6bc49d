/**
 * analyzeFile measures files as they are read (WAV from disk, Ogg Vorbis from ffmpeg or through the decoder thread's
 * ring): its result must be exactly that of decoding the whole file and analysing it, for every path a file can take.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { buildWav, testSignal } from '../audio/decode/testAudioFiles';
import { AudioFormatError } from '../audio/types';
import { analyzeAudioWithPeaks } from './analysis/analyze';
import { analyzeFile } from './analyzeFile';
import { readAudioFile, type ReadAudioFileOptions } from './audioFile';

const dir = mkdtempSync(join(tmpdir(), 'analyze-file-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const fixture = (name: string) => new URL(`../audio/decode/fixtures/${name}`, import.meta.url);

async function assertSameAsWhole(path: string, options: ReadAudioFileOptions = {}): Promise<void> {
  const streamed = await analyzeFile(path, options);
  const whole = await analyzeAudioWithPeaks(await readAudioFile(path, options));
  assert.deepEqual(streamed, whole);
}

describe('analyzeFile', () => {
  it('streams a WAV from disk (several read buffers long) to the whole-file result', async () => {
    const path = join(dir, 'take.wav');
    writeFileSync(path, buildWav(testSignal(300_000, 44100, 2), { format: 's24' }));
    await assertSameAsWhole(path);
  });

  it('streams Ogg Vorbis from ffmpeg to the whole-file result', async () => {
    await assertSameAsWhole(fileURLToPath(fixture('chirp-44k.ogg')));
  });

  it('streams Ogg Vorbis through the decoder thread (libvorbis) to the whole-file result', async () => {
    await assertSameAsWhole(fileURLToPath(fixture('chirp-44k.ogg')), { vorbisDecoder: 'libvorbis' });
  });

  it('starts over on the whole decode when the Vorbis stream turns out chained', async () => {
    const ogg = readFileSync(fixture('chirp-44k.ogg'));
    const path = join(dir, 'chained.ogg');
    writeFileSync(path, Buffer.concat([ogg, ogg]));
    await assertSameAsWhole(path);
  });

  it('streams FLAC, MP3 (mono: the decoder outputs two channels, the header says one) and Opus to the whole-file result', async () => {
    for (const name of ['chirp-16k-s16.flac', 'chirp-22k-mono.mp3', 'chirp-44k-stereo.mp3', 'chirp-48k.opus']) await assertSameAsWhole(fileURLToPath(fixture(name)));
  });

  it('names the file in errors', async () => {
    const path = join(dir, 'notes.ogg');
    writeFileSync(path, 'OggS but not really an Ogg stream at all');
    await assert.rejects(analyzeFile(path), (e: unknown) => e instanceof AudioFormatError && /^notes\.ogg: /.test(e.message));
    await assert.rejects(analyzeFile(join(dir, 'missing.wav')), /missing\.wav: file not found/);
  });
});
