/**
 * Reference matching on the real-music corpus: per-stage wall times of a full `master` run (decode both, analyse,
 * derive, refine, render, verify, encode 24-bit WAV), peak RSS, and the quality table (tonal distance unprocessed /
 * ours / Matchering 2.0.6, LUFS, true peak, LRA).
 *   npx tsx bench/master.ts [--all]     (corpus: MASTERING_CORPUS_DIR or .corpus/tracks)
 * Run it under `nice -n 10` on a shared machine; wall times vary 2-3x with load.
 */
import { join } from 'node:path';
import { readAudioFile } from '../lib/mastering/audioFile';
import { masterTrack } from '../lib/mastering/match/masterTrack';

const corpus = process.env.MASTERING_CORPUS_DIR ?? join(process.cwd(), '.corpus', 'tracks');
const PAIRS: { mix: string; reference: string; matchering?: number }[] = [
  { mix: 'wesnoth_king_is_dead', reference: 'nexuiz_sixtyfour_rev', matchering: 1.59 },
  { mix: 'wesnoth_wanderer', reference: 'wesnoth_northerners', matchering: 2.29 },
];
if (process.argv.includes('--all')) {
  PAIRS.push(
    { mix: 'wesnoth_battle', reference: 'wesnoth_northerners' },
    { mix: 'nexuiz_northern_lights', reference: 'wesnoth_wanderer' },
    { mix: 'singularity_inevitable', reference: 'nexuiz_sixtyfour_rev' },
    { mix: 'nexuiz_sixtyfour_rev', reference: 'wesnoth_king_is_dead' },
  );
}

const f = (v: number | null | undefined, d = 2) => (v === null || v === undefined ? 'n/a' : v.toFixed(d));
const rows: string[] = [];
for (const pair of PAIRS) {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const [mix, reference] = await Promise.all([readAudioFile(join(corpus, `${pair.mix}.ogg`)), readAudioFile(join(corpus, `${pair.reference}.ogg`))]);
  const stages: string[] = [`decode both ${((performance.now() - t0) / 1000).toFixed(2)} s`];
  const { report } = await masterTrack({
    mix,
    references: [{ audio: reference }],
    options: { output: { format: 'wav24' }, onStage: (name, wall) => stages.push(`${name} ${wall.toFixed(2)} s`) },
  });
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const minutes = mix.channels[0].length / mix.sampleRate / 60;
  console.log(`${pair.mix} → ${pair.reference} (${minutes.toFixed(1)} min): wall ${wall.toFixed(2)} s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  console.log(`  ${stages.join(' | ')}`);
  const b = report.before.loudness;
  const a = report.after.loudness;
  rows.push(
    `| ${pair.mix} → ${pair.reference} | ${f(report.before.tonalDistanceToBlendDb)} | ${f(report.after.tonalDistanceToBlendDb)} | ${pair.matchering ?? 'n/a'} | ${f(b.integratedLufs, 1)} → ${f(a.integratedLufs, 2)} (target ${report.loudness.targetLufs.toFixed(2)}) | ${f(b.truePeakDbtp)} → ${f(a.truePeakDbtp)} | ${f(b.loudnessRangeLu, 1)} → ${f(a.loudnessRangeLu, 1)} (ref ${f(report.reference.loudnessRangeLu, 1)}) |`,
  );
}
console.log('\n| mix → reference | distance unprocessed | ours | Matchering | LUFS | TP dBTP | LRA LU |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
