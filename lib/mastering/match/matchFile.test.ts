/**
 * A reference measured as it is read must measure exactly as the whole decoded file does (the derived settings and
 * the quality figures rest on it).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { buildAiff, buildWav, testSignal } from '../../audio/decode/testAudioFiles';
import { readAudioFile } from '../audioFile';
import { analyzeForMatch } from './matchAnalysis';
import { analyzeFileForMatch } from './matchFile';

const dir = mkdtempSync(join(tmpdir(), 'match-file-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const fixture = (name: string) => fileURLToPath(new URL(`../../audio/decode/fixtures/${name}`, import.meta.url));

describe('analyzeFileForMatch', () => {
  for (const truePeak of [false, true]) {
    it(`measures streamed WAV and Ogg Vorbis, and whole FLAC, as the whole decode does (true peak ${truePeak ? 'on' : 'off'})`, async () => {
      const long = join(dir, 'long.wav');
      // 70 s at 8 kHz: two of the 60 s stereo windows and many slides of the window.
      writeFileSync(long, buildWav(testSignal(70 * 8000, 8000, 2), { format: 's16', sampleRate: 8000 }));
      const short = join(dir, 'short.wav');
      writeFileSync(short, buildWav(testSignal(200_000, 44100, 2), { format: 's24' }));
      for (const path of [long, short, fixture('chirp-44k.ogg'), fixture('chirp-16k-s16.flac')]) {
        assert.deepEqual(await analyzeFileForMatch(path, { truePeak }), await analyzeForMatch(await readAudioFile(path), { truePeak }), path);
      }
    });
  }
});

describe('readMixMeasured', () => {
  it('returns the whole mix and, for streamed formats (all but MP4), the analysis analyzeForMatch gives it', async () => {
    const { readMixMeasured } = await import('./mixFile');
    const wav = join(dir, 'mix.wav');
    // 70 s at 8 kHz: the header's length sizes the output; pieces fill it across many window slides.
    writeFileSync(wav, buildWav(testSignal(70 * 8000, 8000, 2), { format: 's16', sampleRate: 8000 }));
    const aiff = join(dir, 'mix.aiff');
    writeFileSync(aiff, buildAiff(testSignal(20_000, 44100, 2), { format: 's16' }));
    for (const path of [wav, fixture('chirp-44k.ogg'), fixture('chirp-16k-s16.flac'), fixture('chirp-22k-mono.mp3'), aiff]) {
      const measured = await readMixMeasured(path);
      const whole = await readAudioFile(path);
      assert.deepEqual(measured.mix, whole, path);
      assert.deepEqual(measured.analysis, await analyzeForMatch(whole, { truePeak: true }), path);
    }
  });
});
