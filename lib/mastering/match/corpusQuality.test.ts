/**
 * Quality bars of the reference-matching issue on real music (two corpus pairs, default settings). Needs the corpus:
 * MASTERING_CORPUS_DIR (default <repo>/.corpus/tracks; `bash scripts/corpus/fetch-corpus.sh .corpus`). Fails when
 * it is missing unless MASTERING_SKIP_CORPUS=1.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findClipping } from '@/lib/audio/clipping';
import { float32AtOrBelow } from '@/lib/audio/limiter';
import { measureLoudness } from '@/lib/audio/loudness';
import { measureTruePeak } from '@/lib/audio/truePeak';
import { readAudioFile } from '@/lib/mastering/audioFile';
import { masterTrack } from './masterTrack';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const corpus = process.env.MASTERING_CORPUS_DIR ?? join(repo, '.corpus', 'tracks');
const skip = process.env.MASTERING_SKIP_CORPUS === '1';

const PAIRS = [
  { mix: 'wesnoth_king_is_dead', reference: 'nexuiz_sixtyfour_rev', maxDistanceDb: 1.2, matchering: 1.59 },
  { mix: 'wesnoth_wanderer', reference: 'wesnoth_northerners', maxDistanceDb: 1.8, matchering: 2.29 },
];

for (const pair of PAIRS) {
  test(`corpus: ${pair.mix} → ${pair.reference} meets the quality bars`, { skip: skip && 'MASTERING_SKIP_CORPUS=1' }, async () => {
    const mixPath = join(corpus, `${pair.mix}.ogg`);
    const refPath = join(corpus, `${pair.reference}.ogg`);
    assert.ok(
      existsSync(mixPath) && existsSync(refPath),
      `corpus missing at ${corpus}: run \`bash scripts/corpus/fetch-corpus.sh .corpus\` or set MASTERING_CORPUS_DIR (MASTERING_SKIP_CORPUS=1 skips)`,
    );
    const [mix, reference] = await Promise.all([readAudioFile(mixPath), readAudioFile(refPath)]);
    const { report, audio } = await masterTrack({ mix, references: [{ audio: reference }], options: { encode: false } });
    const before = report.before.tonalDistanceToBlendDb!;
    const after = report.after.tonalDistanceToBlendDb!;
    assert.ok(after <= pair.maxDistanceDb, `tonal distance ${after.toFixed(2)} dB > ${pair.maxDistanceDb} (unprocessed ${before.toFixed(2)})`);
    assert.ok(after < before && after < pair.matchering);
    const out = measureLoudness(audio);
    const refLoud = measureLoudness(reference);
    assert.ok(Math.abs(out.integratedLufs - refLoud.integratedLufs) <= 0.5, `${out.integratedLufs} vs ${refLoud.integratedLufs}`);
    assert.ok(measureTruePeak(audio).truePeakDbtp <= -1 + 1e-6);
    let peak = 0;
    for (const ch of audio.channels) for (const v of ch) peak = Math.max(peak, Math.abs(v));
    assert.ok(peak <= float32AtOrBelow(10 ** (-1 / 20)));
    assert.equal(findClipping(audio).runCount, 0);
    const mixLra = report.before.loudness.loudnessRangeLu!;
    const refLra = refLoud.loudnessRangeLu;
    assert.ok(out.loudnessRangeLu <= mixLra - (mixLra - refLra) / 2 + 1e-9, `LRA ${mixLra.toFixed(1)} → ${out.loudnessRangeLu.toFixed(1)} (reference ${refLra.toFixed(1)})`);
  });
}
