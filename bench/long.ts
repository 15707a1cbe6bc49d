/**
 * `npm run bench -- long`: the memory bar for long files. Synthesizes a 60-minute stereo 96 kHz 24-bit WAV in a
 * temporary directory (2.07 GB, deleted afterwards) and runs the full analysis with peaks on it in a child process the
 * way the service does (analyzeFile: read from disk in pieces, measured as it is read), then the same on an AIFF copy,
 * reporting peak RSS against the decoded float size (frames x channels x 4 B). The bar is about 2x that size. Slow:
 * minutes, not seconds.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './corpus';

const MINUTES = Number(process.env.LONG_BENCH_MINUTES ?? 60);
const SAMPLE_RATE = 96000;
const CHANNELS = 2;
const RSS_FACTOR_BAR = 2;

/** Streams a 24-bit stereo WAV of band-limited noise plus tones, a chunk at a time, so the bench itself stays small. */
function writeLongWav(path: string, frames: number): void {
  const dataBytes = frames * CHANNELS * 3;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(CHANNELS, 22);
  header.writeUInt32LE(SAMPLE_RATE, 24);
  header.writeUInt32LE(SAMPLE_RATE * CHANNELS * 3, 28);
  header.writeUInt16LE(CHANNELS * 3, 32);
  header.writeUInt16LE(24, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, header);
    const chunkFrames = 1 << 20;
    const chunk = Buffer.alloc(chunkFrames * CHANNELS * 3);
    let seed = 1;
    let lowL = 0;
    let lowR = 0;
    for (let start = 0; start < frames; start += chunkFrames) {
      const count = Math.min(chunkFrames, frames - start);
      for (let i = 0; i < count; i++) {
        const t = (start + i) / SAMPLE_RATE;
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        const white = seed / 2 ** 32 - 0.5;
        lowL += 0.05 * (white - lowL);
        lowR += 0.04 * (white - lowR);
        const envelope = 0.6 + 0.4 * Math.sin(2 * Math.PI * 0.05 * t);
        const l = envelope * (0.3 * Math.sin(2 * Math.PI * 110 * t) + 1.5 * lowL + 0.05 * white);
        const r = envelope * (0.3 * Math.sin(2 * Math.PI * 165 * t) + 1.5 * lowR - 0.05 * white);
        chunk.writeIntLE(Math.max(-8388608, Math.min(8388607, Math.round(l * 8388607))), 6 * i, 3);
        chunk.writeIntLE(Math.max(-8388608, Math.min(8388607, Math.round(r * 8388607))), 6 * i + 3, 3);
      }
      writeSync(fd, chunk, 0, count * CHANNELS * 3);
    }
  } finally {
    closeSync(fd);
  }
}

/** The full analysis of one file in a child process: its peak RSS against the decoded float size, and its stages. */
function measure(path: string, label: string, floatMb: number): void {
  const result = spawnSync('/usr/bin/time', ['-f', 'TIME %U %S %e %M', process.execPath, '--max-old-space-size=16384', '--import', 'tsx', join(repoRoot, 'bench/analyzeChild.ts'), path, '--read-audio-file'], { encoding: 'utf8', cwd: repoRoot, maxBuffer: 64 << 20 });
  const match = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(result.stderr);
  if (result.status !== 0 || !match) throw new Error(`long analysis failed: ${result.stderr.slice(-3000)}`);
  const inner = JSON.parse(result.stdout.trim().split('\n').pop()!);
  const peakMb = Number(match[4]) / 1024;
  console.log(`${label}: decode + analysis + peaks: CPU ${(Number(match[1]) + Number(match[2])).toFixed(1)} s, wall ${Number(match[3]).toFixed(1)} s, peak RSS ${peakMb.toFixed(0)} MB`);
  console.log(`  decoded float size ${floatMb.toFixed(0)} MB; peak RSS = ${(peakMb / floatMb).toFixed(2)}x (bar ~${RSS_FACTOR_BAR}x: ${peakMb <= RSS_FACTOR_BAR * floatMb ? 'within' : 'OVER'})`);
  console.log('  per stage (CPU s / wall s):');
  for (const s of inner.stages as { stage: string; cpuSeconds: number; wallSeconds: number }[]) console.log(`    ${s.stage.padEnd(18)} ${s.cpuSeconds.toFixed(2).padStart(7)} ${s.wallSeconds.toFixed(2).padStart(7)}`);
}

export async function run(): Promise<void> {
  const frames = Math.round(MINUTES * 60 * SAMPLE_RATE);
  const floatMb = (frames * CHANNELS * 4) / 2 ** 20;
  const dir = mkdtempSync(join(tmpdir(), 'mastering-long-'));
  try {
    const path = join(dir, 'long.wav');
    const w0 = performance.now();
    writeLongWav(path, frames);
    console.log(`synthesized ${MINUTES} min stereo ${SAMPLE_RATE / 1000} kHz 24-bit WAV (${((frames * 6) / 2 ** 30).toFixed(2)} GiB) in ${((performance.now() - w0) / 1000).toFixed(1)} s`);
    measure(path, 'WAV', floatMb);
    // The same samples as big-endian AIFF (the other uncompressed upload), when ffmpeg is there to convert them.
    const aiff = join(dir, 'long.aiff');
    if (spawnSync('ffmpeg', ['-v', 'error', '-i', path, '-c:a', 'pcm_s24be', aiff]).status === 0) {
      rmSync(path);
      measure(aiff, 'AIFF', floatMb);
    } else console.log('AIFF: skipped (no ffmpeg to convert the WAV)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
