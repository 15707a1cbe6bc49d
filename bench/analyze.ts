/**
 * Analysis bench: decode + full analysis + peaks of a ~4-minute stereo 44.1 kHz corpus track in a child process
 * (CPU user+sys, wall, peak RSS, per-stage), next to ffmpeg's ebur128 meter and essentia's LoudnessEBUR128 alone.
 * Budget from the issue: 1.5 s CPU, 300 MB peak RSS.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { corpusTracks, repoRoot } from './corpus';

const CPU_BUDGET_SECONDS = 1.5;
const RSS_BUDGET_MB = 300;
const RUNS = 3;

interface Measured {
  cpuSeconds: number;
  wallSeconds: number;
  peakRssMb: number;
}

function timed(command: string, args: string[]): Measured & { stdout: string; stderr: string } {
  // GNU time reports the child's own rusage, which Node cannot read for a child.
  const result = spawnSync('/usr/bin/time', ['-f', 'TIME %U %S %e %M', command, ...args], { encoding: 'utf8', cwd: repoRoot, maxBuffer: 64 << 20 });
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

  const runs: (Measured & { processCpuSeconds: number; stages: { stage: string; cpuSeconds: number; wallSeconds: number }[]; integratedLufs: number; truePeakDbtp: number })[] = [];
  for (let i = 0; i < RUNS; i++) {
    const m = timed(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench/analyzeChild.ts'), track.path]);
    const inner = JSON.parse(m.stdout.trim().split('\n').pop()!);
    runs.push({ ...inner, peakRssMb: m.peakRssMb });
    console.log(row(`ours: decode+analysis+peaks #${i + 1}`, { cpuSeconds: inner.cpuSeconds, wallSeconds: inner.wallSeconds, peakRssMb: m.peakRssMb }, `(whole process incl. tsx start: ${m.cpuSeconds.toFixed(2)} s CPU)`));
  }
  const best = { cpuSeconds: median(runs.map((r) => r.cpuSeconds)), wallSeconds: median(runs.map((r) => r.wallSeconds)), peakRssMb: median(runs.map((r) => r.peakRssMb)) };
  console.log(row('ours (median)', best, `I=${runs[0].integratedLufs?.toFixed(2)} LUFS TP=${runs[0].truePeakDbtp?.toFixed(2)} dBTP`));

  if (hasFfmpeg) {
    const ff = timed('ffmpeg', ['-nostats', '-hide_banner', '-i', track.path, '-af', 'ebur128=peak=true', '-f', 'null', '-']);
    const integrated = /I:\s+(-?[\d.]+) LUFS/.exec(ff.stderr.split('Summary:').pop() ?? '')?.[1];
    const peak = /Peak:\s+(-?[\d.]+) dBFS/.exec(ff.stderr.split('Summary:').pop() ?? '')?.[1];
    console.log(row('ffmpeg -af ebur128=peak=true', ff, `I=${integrated} LUFS TP=${peak} dBTP (decode + meter)`));
  } else {
    console.log('ffmpeg: not installed, skipped');
  }
  const ess = timed(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench/essentiaLoudnessChild.ts'), track.path]);
  const essInner = JSON.parse(ess.stdout.trim().split('\n').pop()!);
  console.log(row('essentia LoudnessEBUR128 alone', { cpuSeconds: essInner.cpuSeconds, wallSeconds: essInner.wallSeconds, peakRssMb: ess.peakRssMb }, `I=${essInner.integratedLufs.toFixed(2)} LUFS (meter only, after our decode)`));

  console.log('\nper stage (median CPU s / wall s):');
  for (const name of runs[0].stages.map((s) => s.stage)) {
    const cpu = median(runs.map((r) => r.stages.find((s) => s.stage === name)?.cpuSeconds ?? 0));
    const wall = median(runs.map((r) => r.stages.find((s) => s.stage === name)?.wallSeconds ?? 0));
    console.log(`  ${name.padEnd(18)} ${cpu.toFixed(3).padStart(7)} ${wall.toFixed(3).padStart(7)}`);
  }
  const verdict = (ok: boolean) => (ok ? 'within budget' : 'OVER budget');
  console.log(`\nbudget: CPU ${best.cpuSeconds.toFixed(2)} / ${CPU_BUDGET_SECONDS} s (${verdict(best.cpuSeconds <= CPU_BUDGET_SECONDS)}), peak RSS ${best.peakRssMb.toFixed(0)} / ${RSS_BUDGET_MB} MB (${verdict(best.peakRssMb <= RSS_BUDGET_MB)})`);
  if (!existsSync(track.path)) throw new Error('track vanished');
}
