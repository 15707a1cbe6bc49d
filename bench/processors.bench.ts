/**
 * Render-processor speed on real music: CPU and wall time per stage for exactly 240 s of stereo audio (the product
 * budget is stated for a 4-minute track). The track is decoded with readAudioFile, looped or trimmed to 240 s at its
 * own rate; every run starts from a fresh float64 copy (the copy is not timed). CPU comes from process.cpuUsage, so
 * work done in worker threads counts too. Each stage runs `--repeats` times (default 3): min and median are printed.
 *   nice -n 10 npx tsx bench/processors.bench.ts [track] [--repeats N] [--only name,name]
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { processCompressor } from '../lib/audio/compressor';
import { processEq } from '../lib/audio/equalizer';
import { processLimiter } from '../lib/audio/limiter';
import { processChain, type ChainStage } from '../lib/audio/processChain';
import { processSaturation } from '../lib/audio/saturation';
import { processStereoWidth } from '../lib/audio/stereoWidth';
import { measureTruePeak } from '../lib/audio/truePeak';
import type { PcmAudio } from '../lib/audio/types';
import { toPcmAudio, toWorkingAudio, type WorkingAudio } from '../lib/audio/workingAudio';
import { readAudioFile } from '../lib/mastering/audioFile';

const SECONDS = 240;

function parseArgs(argv: string[]): { file?: string; repeats: number; only?: Set<string> } {
  let file: string | undefined;
  let repeats = 3;
  let only: Set<string> | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--repeats') repeats = Number(argv[++i]);
    else if (argv[i] === '--only') only = new Set(argv[++i].split(','));
    else file = argv[i];
  }
  return { file, repeats, only };
}

/** Stereo float32 of exactly SECONDS, looping the track if it is shorter (mono is duplicated). */
function toBenchLength(pcm: PcmAudio): PcmAudio {
  const n = Math.round(SECONDS * pcm.sampleRate);
  const src = pcm.channels.length >= 2 ? pcm.channels.slice(0, 2) : [pcm.channels[0], pcm.channels[0]];
  const channels = src.map((x) => {
    const out = new Float32Array(n);
    for (let at = 0; at < n; at += x.length) out.set(x.subarray(0, Math.min(x.length, n - at)), at);
    return out;
  });
  return { sampleRate: pcm.sampleRate, channels };
}

interface Timing {
  cpuSeconds: number;
  wallSeconds: number;
}

async function timeOnce(run: () => unknown): Promise<Timing> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await run();
  const wallSeconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { cpuSeconds: (c.user + c.system) / 1e6, wallSeconds };
}

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dir = join(process.cwd(), '.corpus', 'tracks');
  const file = args.file ?? join(dir, readdirSync(dir).filter((f) => /\.(ogg|flac|wav|mp3)$/i.test(f)).sort()[0]);
  const decoded = await readAudioFile(file);
  const pcm = toBenchLength(decoded);
  const base = toWorkingAudio(pcm);
  const fresh = (): WorkingAudio => ({ sampleRate: base.sampleRate, channels: base.channels.map((c) => Float64Array.from(c)) });
  const tp = measureTruePeak(pcm).truePeakDbtp;
  console.log(`${file.split('/').pop()}: ${decoded.format.durationSeconds.toFixed(1)} s at ${pcm.sampleRate} Hz -> ${SECONDS} s stereo, true peak ${tp.toFixed(2)} dBTP`);

  const eqCurve = { frequenciesHz: [40, 120, 400, 1500, 5000, 12000], gainsDb: [1.5, -1, 0.5, -0.5, 1, 2] };
  const eq = { curve: eqCurve, phase: 'linear' as const };
  // Thresholds relative to the track's peak, so the compressors work on quiet and loud tracks alike.
  const t = (db: number) => Math.max(-80, Math.round((tp + db) * 10) / 10);
  const comp = { ratio: 2, thresholdDb: t(-14), attackMs: 15, releaseMs: 150, makeupDb: 1 };
  const comp3 = {
    multiband: {
      crossoverHz: [150, 3000],
      bands: [
        { ratio: 2.5, thresholdDb: t(-16), attackMs: 20, releaseMs: 200 },
        { ratio: 1.8, thresholdDb: t(-14), attackMs: 10, releaseMs: 150 },
        { ratio: 2, thresholdDb: t(-18), attackMs: 5, releaseMs: 100 },
      ],
    },
  };
  const width = { crossoverHz: [250, 2500], sideGainsDb: [-3, 0, 1.5], monoBelowHz: 100 };
  // Drive so the true peak would sit 6 dB over the ceiling: real limiting whatever the track's level.
  const limit = { inputGainDb: Math.round((-1 - tp + 6) * 10) / 10, ceilingDbtp: -1 };
  const chainStages = (compressor: object): ChainStage[] => [
    { kind: 'eq', settings: eq },
    { kind: 'compressor', settings: compressor },
    { kind: 'stereoWidth', settings: width },
    { kind: 'limiter', settings: limit },
  ];

  // Every stage gets a fresh float64 copy made outside the timed region; the conversion and chain stages start from
  // the float32 input as the render does.
  const stages: [string, (w: WorkingAudio) => unknown][] = [
    ['conversion', () => toPcmAudio(toWorkingAudio(pcm))],
    ['eqFirLinear4097', (w) => processEq(w, eq)],
    ['compressorBroadband', (w) => processCompressor(w, comp)],
    ['compressor3Band', (w) => processCompressor(w, comp3)],
    ['stereoWidth', (w) => processStereoWidth(w, width)],
    ['saturationX4', (w) => processSaturation(w, { enabled: true, driveDb: 6, mix: 0.7 })],
    ['limiter6DbOver', (w) => processLimiter(w, limit)],
    ['limiterNoReduction', (w) => processLimiter(w, { ceilingDbtp: Math.min(0, tp + 0.5) })],
    ['chainBroadband', () => processChain(pcm, { stages: chainStages(comp) })],
    ['chain3Band', () => processChain(pcm, { stages: chainStages(comp3) })],
  ];
  console.log(`${'stage'.padEnd(22)} ${'cpu min'.padStart(8)} ${'cpu med'.padStart(8)} ${'wall min'.padStart(9)} ${'wall med'.padStart(9)}`);
  for (const [name, run] of stages) {
    if (args.only && !args.only.has(name)) continue;
    const timings: Timing[] = [];
    for (let r = 0; r < args.repeats; r++) {
      const w = fresh();
      timings.push(await timeOnce(() => run(w)));
    }
    const cpu = timings.map((t) => t.cpuSeconds);
    const wall = timings.map((t) => t.wallSeconds);
    const f = (v: number, width = 8) => v.toFixed(3).padStart(width);
    console.log(`${name.padEnd(22)} ${f(Math.min(...cpu))} ${f(median(cpu))} ${f(Math.min(...wall), 9)} ${f(median(wall), 9)}`);
  }
}

await main();
