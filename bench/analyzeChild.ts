/**
 * Child process of the analyze bench: decode + full analysis + peaks of one file, then prints its own CPU, wall,
 * peak RSS and per-stage figures as JSON. Running in a fresh process keeps runs independent and makes peak RSS
 * mean something.
 */
import { readFileSync } from 'node:fs';
import { decodeAudio } from '@/lib/audio/decode/decode';
import { analyzeAudioWithPeaks } from '@/lib/mastering/analysis/analyze';
import { analyzeFile } from '@/lib/mastering/analyzeFile';

const path = process.argv[2];
const startCpu = process.cpuUsage();
const startRss = process.resourceUsage().maxRSS;
const wall0 = performance.now();
const stages: { stage: string; cpuSeconds: number; wallSeconds: number }[] = [];
const cpu0 = process.cpuUsage();
const onStage = (stage: string, cpuSeconds: number, wallSeconds: number) => stages.push({ stage, cpuSeconds, wallSeconds });
// --read-audio-file: the service's path (analyzeFile: measured as it is decoded, the decode in a worker thread; CPU
// includes that thread's). Otherwise the whole file is decoded on this thread first, then analysed.
let analysis;
if (process.argv.includes('--read-audio-file')) {
  ({ analysis } = await analyzeFile(path, { maxHeapMb: 16384, timeoutMs: 3_600_000, onStage }));
} else {
  const decoded = await decodeAudio(new Uint8Array(readFileSync(path)));
  const decodeCpu = process.cpuUsage(cpu0);
  stages.push({ stage: 'decode', cpuSeconds: (decodeCpu.user + decodeCpu.system) / 1e6, wallSeconds: (performance.now() - wall0) / 1000 });
  ({ analysis } = await analyzeAudioWithPeaks(decoded, { onStage }));
}
const used = process.cpuUsage(startCpu);
const usage = process.resourceUsage();
console.log(JSON.stringify({
  cpuSeconds: (used.user + used.system) / 1e6,
  wallSeconds: (performance.now() - wall0) / 1000,
  peakRssMb: usage.maxRSS / 1024,
  rssBeforeMb: startRss / 1024,
  processCpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
  durationSeconds: analysis.durationSeconds,
  integratedLufs: analysis.loudness.integratedLufs,
  truePeakDbtp: analysis.loudness.truePeakDbtp,
  stages,
}));
