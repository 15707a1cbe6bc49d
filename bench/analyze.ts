/**
 * Analysis bench: decode + full analysis + peaks of a ~4-minute stereo 44.1 kHz corpus track by the shipped CLI
 * (`bin/mastering analyze --json --timings`: the package bin, the runtime bundle, the Vorbis decode in an ffmpeg process, exactly what a
 * user runs), reporting the CLI's own figures for the measured work (CPU user+sys of all threads and of the ffmpeg
 * process, wall, per stage), the whole
 * process's CPU including Node's start-up, and peak RSS; next to ffmpeg's ebur128 meter and essentia's LoudnessEBUR128 alone, each
 * the median of 3 runs; then the same music as a temporary 24-bit WAV so the cost of the Vorbis decode is visible, and
 * the Ogg again with the fallback decoder (libvorbis in the decoder thread, MASTERING_VORBIS_DECODER=libvorbis).
 * Budget from the issue: 1.5 s CPU, 300 MB peak RSS.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusTracks, repoRoot } from './corpus';

const CPU_BUDGET_SECONDS = 1.5;
const RSS_BUDGET_MB = 300;
/** Ours and ffmpeg alternate run by run, so a slow spell of this shared machine hits both sides alike. */
const RUNS = 5;

interface Measured {
  cpuSeconds: number;
  wallSeconds: number;
  peakRssMb: number;
}

function timed(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Measured & { stdout: string; stderr: string } {
  // GNU time reports the child's own rusage (with its waited-for children's), which Node cannot read for a child.
  const result = spawnSync('/usr/bin/time', ['-f', 'TIME %U %S %e %M', command, ...args], { encoding: 'utf8', cwd: repoRoot, maxBuffer: 64 << 20, env });
  const match = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(result.stderr);
  if (result.status !== 0 || !match) throw new Error(`${command} failed: ${result.stderr.slice(-2000)}`);
  return { cpuSeconds: Number(match[1]) + Number(match[2]), wallSeconds: Number(match[3]), peakRssMb: Number(match[4]) / 1024, stdout: result.stdout, stderr: result.stderr };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const row = (name: string, m: Measured, extra = '') => `${name.padEnd(34)} ${m.cpuSeconds.toFixed(2).padStart(7)} ${m.wallSeconds.toFixed(2).padStart(7)} ${m.peakRssMb.toFixed(0).padStart(8)}  ${extra}`;

export async function run(): Promise<void> {
  const tracks = corpusTracks();
  const probe = (path: string) => {
    const [rate, channels, seconds] = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=sample_rate,channels:format=duration', '-of', 'csv=p=0', path], { encoding: 'utf8' }).trim().split(/[\n,]/).map(Number);
    return { rate, channels, seconds };
  };
  const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
  // The stereo 44.1 kHz track closest to 4 minutes (the budget's reference case).
  const track = hasFfmpeg
    ? tracks.map((t) => ({ ...t, ...probe(t.path) })).filter((t) => t.rate === 44100 && t.channels === 2).sort((a, b) => Math.abs(a.seconds - 240) - Math.abs(b.seconds - 240))[0]
    : { ...tracks[0], seconds: NaN };
  if (!track) throw new Error('no stereo 44.1 kHz track in the corpus');
  console.log(`track: ${track.id} (${track.seconds.toFixed(1)} s) ${track.path}`);
  console.log(`${'run'.padEnd(34)} ${'CPU s'.padStart(7)} ${'wall s'.padStart(7)} ${'peak MB'.padStart(8)}`);

  type Run = Measured & { processCpuSeconds: number; processWallSeconds: number; stages: { stage: string; cpuSeconds: number; wallSeconds: number }[]; integratedLufs: number; truePeakDbtp: number };
  const oursOnce = (path: string, label: string, i: number, env?: NodeJS.ProcessEnv): Run => {
    const m = timed(join(repoRoot, 'bin/mastering'), ['analyze', path, '--json', '--timings'], { ...(env ?? process.env), MASTERING_NODE: process.execPath } as NodeJS.ProcessEnv);
    const analysis = JSON.parse(m.stdout) as { loudness: { integratedLufs: number; truePeakDbtp: number } };
    const stages = [...m.stderr.matchAll(/^timing (.+): wall ([\d.]+) s, CPU ([\d.]+) s/gm)].map((t) => ({ stage: t[1], wallSeconds: Number(t[2]), cpuSeconds: Number(t[3]) }));
    const total = stages.find((s) => s.stage === 'total');
    if (!total) throw new Error(`mastering analyze printed no total timing: ${m.stderr.slice(-500)}`);
    console.log(row(`${label} #${i + 1}`, { cpuSeconds: total.cpuSeconds, wallSeconds: total.wallSeconds, peakRssMb: m.peakRssMb }, `(whole process incl. Node start-up: ${m.cpuSeconds.toFixed(2)} s CPU, ${m.wallSeconds.toFixed(2)} s wall)`));
    return { cpuSeconds: total.cpuSeconds, wallSeconds: total.wallSeconds, peakRssMb: m.peakRssMb, processCpuSeconds: m.cpuSeconds, processWallSeconds: m.wallSeconds, stages: stages.filter((s) => s !== total), integratedLufs: analysis.loudness.integratedLufs, truePeakDbtp: analysis.loudness.truePeakDbtp };
  };
  const medianOfRuns = <T extends Measured>(all: T[]): Measured => ({ cpuSeconds: median(all.map((r) => r.cpuSeconds)), wallSeconds: median(all.map((r) => r.wallSeconds)), peakRssMb: median(all.map((r) => r.peakRssMb)) });
  /** Ours on `path`, alternating with ffmpeg's meter on the same file when there is one. */
  const measure = (path: string, label: string, withFfmpeg: boolean, env?: NodeJS.ProcessEnv) => {
    const runs: Run[] = [];
    const ff: (Measured & { stderr: string })[] = [];
    for (let i = 0; i < RUNS; i++) {
      runs.push(oursOnce(path, label, i, env));
      if (withFfmpeg) ff.push(timed('ffmpeg', ['-nostats', '-hide_banner', '-i', path, '-af', 'ebur128=peak=true', '-f', 'null', '-']));
    }
    if (withFfmpeg) console.log(`  (ffmpeg ebur128 on the same file, alternating: ${ff.map((m) => `${m.cpuSeconds.toFixed(2)} s CPU / ${m.wallSeconds.toFixed(2)} s wall`).join(', ')})`);
    return { runs, median: medianOfRuns(runs), ffmpeg: withFfmpeg ? { ...medianOfRuns(ff), stderr: ff[0].stderr } : undefined };
  };

  const ours = measure(track.path, 'ours: decode+analysis+peaks', hasFfmpeg);
  const { runs } = ours;
  const best = ours.median;
  const table: string[] = [
    row('ours, Ogg Vorbis (median)', best, `I=${runs[0].integratedLufs?.toFixed(2)} LUFS TP=${runs[0].truePeakDbtp?.toFixed(2)} dBTP (decode + full analysis + peaks)`),
    row('ours, the whole CLI process', { cpuSeconds: median(runs.map((r) => r.processCpuSeconds)), wallSeconds: median(runs.map((r) => r.processWallSeconds)), peakRssMb: best.peakRssMb }, '(plus Node start-up, module loading, JSON output)'),
  ];

  const libvorbis = measure(track.path, 'ours: Ogg, libvorbis decoder', false, { ...process.env, MASTERING_VORBIS_DECODER: 'libvorbis' });
  table.push(row('ours, Ogg via libvorbis (median)', libvorbis.median, '(the fallback decoder: WebAssembly in the decoder thread)'));

  let wav: ReturnType<typeof measure> | undefined;
  if (ours.ffmpeg) {
    const summary = ours.ffmpeg.stderr.split('Summary:').pop() ?? '';
    const integrated = /I:\s+(-?[\d.]+) LUFS/.exec(summary)?.[1];
    const peak = /Peak:\s+(-?[\d.]+) dBFS/.exec(summary)?.[1];
    table.push(row('ffmpeg -af ebur128=peak=true', ours.ffmpeg, `I=${integrated} LUFS TP=${peak} dBTP (decode + meter)`));
    // The same music as a 24-bit WAV outside the repo: shows what the Vorbis decode costs.
    const dir = mkdtempSync(join(tmpdir(), 'mastering-bench-'));
    try {
      const wavPath = join(dir, `${track.id}.wav`);
      execFileSync('ffmpeg', ['-v', 'error', '-i', track.path, '-c:a', 'pcm_s24le', wavPath]);
      wav = measure(wavPath, 'ours: 24-bit WAV input', true);
      table.push(row('ours, 24-bit WAV (median)', wav.median, '(same music; WAV parse instead of Vorbis decode)'));
      table.push(row('ffmpeg ebur128, 24-bit WAV', wav.ffmpeg!));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } else {
    console.log('ffmpeg: not installed, skipped (and the WAV variant with it)');
  }
  const essRuns = Array.from({ length: RUNS }, () => {
    const ess = timed(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench/essentiaLoudnessChild.ts'), track.path]);
    return { ...JSON.parse(ess.stdout.trim().split('\n').pop()!), peakRssMb: ess.peakRssMb } as Measured & { integratedLufs: number };
  });
  const essMedian = { cpuSeconds: median(essRuns.map((r) => r.cpuSeconds)), wallSeconds: median(essRuns.map((r) => r.wallSeconds)), peakRssMb: median(essRuns.map((r) => r.peakRssMb)) };
  table.push(row('essentia LoudnessEBUR128 alone', essMedian, `I=${essRuns[0].integratedLufs.toFixed(2)} LUFS (meter only, after our decode; RSS incl. decode)`));

  console.log(`\nside by side, median of ${RUNS} runs (ours: CPU = user+sys of the CLI's decode + analysis, all threads and the ffmpeg decoder; others: whole process):`);
  console.log(`${''.padEnd(34)} ${'CPU s'.padStart(7)} ${'wall s'.padStart(7)} ${'peak MB'.padStart(8)}`);
  for (const line of table) console.log(line);

  for (const [label, set] of [['Ogg Vorbis', runs], ['24-bit WAV', wav?.runs]] as const) {
    if (!set) continue;
    console.log(`\nper stage, ${label} (median CPU s / wall s):`);
    for (const name of set[0].stages.map((s) => s.stage)) {
      const cpu = median(set.map((r) => r.stages.find((s) => s.stage === name)?.cpuSeconds ?? 0));
      const wall = median(set.map((r) => r.stages.find((s) => s.stage === name)?.wallSeconds ?? 0));
      console.log(`  ${name.padEnd(18)} ${cpu.toFixed(3).padStart(7)} ${wall.toFixed(3).padStart(7)}`);
    }
  }
  const verdict = (ok: boolean) => (ok ? 'within budget' : 'OVER budget');
  console.log(`\nbudget: CPU ${best.cpuSeconds.toFixed(2)} / ${CPU_BUDGET_SECONDS} s (${verdict(best.cpuSeconds <= CPU_BUDGET_SECONDS)}), peak RSS ${best.peakRssMb.toFixed(0)} / ${RSS_BUDGET_MB} MB (${verdict(best.peakRssMb <= RSS_BUDGET_MB)})`);
  if (ours.ffmpeg) console.log(`against ffmpeg's meter in the same runs: wall ${best.wallSeconds.toFixed(2)} vs ${ours.ffmpeg.wallSeconds.toFixed(2)} s (${best.wallSeconds < ours.ffmpeg.wallSeconds ? 'faster' : 'SLOWER'}), CPU ${best.cpuSeconds.toFixed(2)} vs ${ours.ffmpeg.cpuSeconds.toFixed(2)} s`);
  if (!existsSync(track.path)) throw new Error('track vanished');
}
