/**
 * Our BS.1770 meter against essentia's LoudnessEBUR128 on real music from the corpus (decoded by our decoder).
 * The corpus is fetched by CI (and by `npm run bench`); without it this test fails loudly unless
 * MASTERING_SKIP_CORPUS=1 says skipping is intended.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeAudio } from '@/lib/audio/decode/decode';
import { measureLoudness } from '@/lib/audio/loudness';
import { loadEssentia, withVectors } from './essentia';

const corpusDir = process.env.MASTERING_CORPUS_DIR ?? '/work/main/.corpus/tracks';
const skip = process.env.MASTERING_SKIP_CORPUS === '1';

test('integrated loudness agrees with essentia LoudnessEBUR128 within 0.1 LU on real music', { skip: skip && 'MASTERING_SKIP_CORPUS=1' }, async () => {
  assert.ok(existsSync(corpusDir), `corpus directory ${corpusDir} is missing: run "bash ../shared/corpus/fetch-corpus.sh .corpus" from the repo root, set MASTERING_CORPUS_DIR, or set MASTERING_SKIP_CORPUS=1 to skip deliberately`);
  const tracks = readdirSync(corpusDir).filter((name) => /\.(ogg|flac|wav|mp3)$/i.test(name)).sort().slice(0, 2);
  assert.ok(tracks.length > 0, `no audio tracks in ${corpusDir}`);
  const essentia = loadEssentia();
  for (const name of tracks) {
    const audio = await decodeAudio(new Uint8Array(readFileSync(join(corpusDir, name))));
    const ours = measureLoudness(audio).integratedLufs;
    const [left, right = left] = audio.channels;
    const theirs = withVectors((track) => {
      const result = essentia.LoudnessEBUR128(track(essentia.arrayToVector(left)), track(essentia.arrayToVector(right)), 0.1, audio.sampleRate, false);
      track(result.momentaryLoudness);
      track(result.shortTermLoudness);
      return result.integratedLoudness;
    });
    assert.ok(Math.abs(ours - theirs) <= 0.1, `${name}: ours ${ours.toFixed(3)} LUFS, essentia ${theirs.toFixed(3)} LUFS`);
  }
});
