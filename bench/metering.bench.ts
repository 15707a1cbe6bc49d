/**
 * Metering speed on real music: decodes each corpus track with ffmpeg (dev tool only) to stereo f32le and reports
 * best-of-5 CPU time for true peak and for loudness, scaled to a 4-minute track.
 *   npx tsx bench/metering.bench.ts [track.ogg ...]   (default: every .ogg in .corpus/tracks)
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { measureLoudness } from '../lib/audio/loudness';
import { measureTruePeak } from '../lib/audio/truePeak';

const dir = join(process.cwd(), '.corpus', 'tracks');
const files = process.argv.length > 2 ? process.argv.slice(2) : readdirSync(dir).filter((f) => f.endsWith('.ogg')).map((f) => join(dir, f));

function cpuMs(run: () => void, repeats = 5): number {
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const c0 = process.cpuUsage();
    run();
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 1000);
  }
  return best;
}

for (const file of files) {
  const sampleRate = Number.parseInt(
    execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=sample_rate', '-of', 'csv=p=0', file])
      .toString(),
    10,
  );
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'f32le', '-ac', '2', '-'], { maxBuffer: 1 << 30 });
  const inter = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  const frames = inter.length / 2;
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    left[i] = inter[2 * i];
    right[i] = inter[2 * i + 1];
  }
  const pcm = { sampleRate, channels: [left, right] };
  const scale = 240 / (frames / sampleRate);
  const tp = measureTruePeak(pcm);
  const ld = measureLoudness(pcm);
  const tpMs = cpuMs(() => measureTruePeak(pcm)) * scale;
  const ldMs = cpuMs(() => measureLoudness(pcm)) * scale;
  console.log(
    [
      file.split('/').pop()?.padEnd(30),
      `I ${ld.integratedLufs.toFixed(2)} LUFS, LRA ${ld.loudnessRangeLu.toFixed(1)} LU, TP ${tp.truePeakDbtp.toFixed(2)} dBTP, ${tp.interSampleOverCount} overs`.padEnd(60),
      `CPU per 4 min: truePeak ${tpMs.toFixed(0)} ms, loudness ${ldMs.toFixed(0)} ms`,
    ].join(' '),
  );
}
