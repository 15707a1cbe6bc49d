/**
 * The mix read straight into the render's float64 buffer (and read again for later renders) must be the mix exactly:
 * a master from files then equals a master of the same audio in memory, sample for sample.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { encodedBytes } from '@/lib/audio/encode/encodedAudio';
import { encodeFlac } from '@/lib/audio/encode/flac';
import { encodeWav } from '@/lib/audio/encode/wav';
import { AudioFormatError } from '@/lib/audio/types';
import { buildWav, testSignal } from '../../audio/decode/testAudioFiles';
import { readAudioFile } from '../audioFile';
import { splitRoomFrames } from '../chain/splitRender';
import { masterFiles } from './masterFiles';
import { masterTrack } from './masterTrack';
import { analyzeForMatch } from './matchAnalysis';
import { readMixForRender } from './mixFile';
import { kickMix, syntheticMix } from './testSignals';

const dir = mkdtempSync(join(tmpdir(), 'mix-file-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const fixture = (name: string) => fileURLToPath(new URL(`../../audio/decode/fixtures/${name}`, import.meta.url));

describe('readMixForRender', () => {
  it('holds the mix at float64 with the room a split render needs, measured as the whole decode is, and reads it again the same', async () => {
    const wav = join(dir, 'mix.wav');
    writeFileSync(wav, buildWav(testSignal(300_000, 44100, 2), { format: 's24' }));
    for (const path of [wav, fixture('chirp-44k.ogg'), fixture('chirp-16k-s16.flac'), fixture('chirp-44k-aac.m4a')]) {
      const decoded = await readAudioFile(path);
      const spillDir = mkdtempSync(join(dir, 'spill-'));
      const { mix, analysis } = await readMixForRender(path, { spillDir });
      // A compressed mix leaves its decoded copy for later renders; a WAV is read from itself again.
      assert.equal(readdirSync(spillDir).length, path === wav ? 0 : 1, path);
      const frames = decoded.channels[0].length;
      assert.equal(mix.frames, frames, path);
      assert.equal(mix.channelCount, decoded.channels.length, path);
      assert.deepEqual(analysis, await analyzeForMatch(decoded, { truePeak: true, segmentBands: true }), path);
      mix.loaded.channels.forEach((c, ch) => {
        assert.equal(c.length, frames);
        assert.ok(c.buffer instanceof SharedArrayBuffer && c.buffer.byteLength >= (frames + splitRoomFrames(mix.sampleRate)) * 8, path);
        assert.deepEqual(c, Float64Array.from(decoded.channels[ch]), path);
      });
      const again = mix.loaded.channels.map(() => new Float64Array(frames));
      await mix.reload(again);
      assert.deepEqual(again, mix.loaded.channels, path);
      await mix.dispose();
      assert.equal(readdirSync(spillDir).length, 0, path);
    }
  });

  it('decodes a compressed mix again when its copy cannot be written', async () => {
    const path = fixture('chirp-16k-s16.flac');
    const { mix } = await readMixForRender(path, { spillDir: join(dir, 'no-such-folder') });
    const again = mix.loaded.channels.map((c) => new Float64Array(c.length));
    await mix.reload(again);
    assert.deepEqual(again, mix.loaded.channels);
    await mix.dispose();
  });

  it('refuses to read a mix again that changed on disk', async () => {
    const path = join(dir, 'changing.wav');
    writeFileSync(path, buildWav(testSignal(50_000, 44100, 2), { format: 's16' }));
    const { mix } = await readMixForRender(path);
    writeFileSync(path, buildWav(testSignal(40_000, 44100, 2), { format: 's16' }));
    await assert.rejects(mix.reload(mix.loaded.channels.map((c) => new Float64Array(c.length))), (e: Error) => e instanceof AudioFormatError && /changed/.test(e.message));
    writeFileSync(path, buildWav(testSignal(50_000, 48000, 2), { format: 's16', sampleRate: 48000 }));
    await assert.rejects(mix.reload(mix.loaded.channels.map((c) => new Float64Array(c.length))), /changed/);
  });
});

/**
 * The mix and reference written as files, mastered from them and from the same audio in memory: the settings and the
 * audio must be the same. `modelResidual: false` leaves the tonal model out, so the first render is corrected by a
 * second one, which reads the mix again.
 */
async function masterBothWays(name: string, mixBytes: Uint8Array, options: { encode: false; modelResidual?: false }) {
  const mixPath = join(dir, name);
  const refPath = join(dir, `${name}-ref.wav`);
  writeFileSync(mixPath, mixBytes);
  writeFileSync(refPath, encodedBytes(encodeWav(syntheticMix({ seconds: 30, darkness: 0.7, levelDb: -8, dynamicsDb: 2, seed: 7 }), { bitDepth: 24, dither: 'none' })));
  const fromFiles = await masterFiles({ mixPath, references: [{ path: refPath }], options });
  const inMemory = await masterTrack({ mix: await readAudioFile(mixPath), references: [{ audio: await readAudioFile(refPath) }], options });
  assert.deepEqual(fromFiles.settings, inMemory.settings);
  assert.deepEqual(fromFiles.audio.channels, inMemory.audio.channels);
  return fromFiles.report.closedLoop;
}

describe('masterFiles', () => {
  it('masters a mix read from its file exactly as the same mix in memory, through a second full render', async () => {
    const rounds = await masterBothWays('master-mix.wav', encodedBytes(encodeWav(kickMix({ seconds: 40 }), { bitDepth: 24, dither: 'none' })), { encode: false, modelResidual: false });
    // Two full renders: the second one read the mix from its file again.
    assert.equal(rounds.length, 2, JSON.stringify(rounds));
  });

  it('masters a compressed mix (its second render from the decoded copy) exactly as the same mix in memory', async () => {
    const rounds = await masterBothWays('master-mix.flac', encodedBytes(await encodeFlac(kickMix({ seconds: 40 }), { bitDepth: 24, dither: 'none' })), { encode: false, modelResidual: false });
    assert.equal(rounds.length, 2, JSON.stringify(rounds));
  });

  it('masters a mix through the tonal model (its probe cut from the buffer the mix was read into) exactly as in memory', async () => {
    const rounds = await masterBothWays('model-mix.wav', encodedBytes(encodeWav(kickMix({ seconds: 40, noiseDb: -18 }), { bitDepth: 24, dither: 'none' })), { encode: false });
    assert.equal(rounds[0].predicted, true, JSON.stringify(rounds));
  });
});
