/**
 * Decode timing on real music: `npx tsx lib/audio/decode/decode.bench.ts [track.ogg]` (default: the corpus track
 * closest to 4 minutes). Also writes that track as a 24-bit WAV into the OS temp dir and times the WAV path.
 * Not a test: timings depend on machine load.
 */
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeAudio } from './decode';
import { decodeInWorker } from './decodeInWorker';

function write24BitWav(channels: Float32Array[], sampleRate: number): Uint8Array {
  const frames = channels[0].length;
  const n = channels.length;
  const out = new Uint8Array(44 + frames * n * 3);
  const v = new DataView(out.buffer);
  out.set([...'RIFF'].map((c) => c.charCodeAt(0)), 0);
  v.setUint32(4, out.length - 8, true);
  out.set([...'WAVEfmt '].map((c) => c.charCodeAt(0)), 8);
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, n, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * n * 3, true);
  v.setUint16(32, n * 3, true);
  v.setUint16(34, 24, true);
  out.set([...'data'].map((c) => c.charCodeAt(0)), 36);
  v.setUint32(40, frames * n * 3, true);
  let p = 44;
  for (let i = 0; i < frames; i++) {
    for (let ch = 0; ch < n; ch++) {
      const s = Math.max(-8388608, Math.min(8388607, Math.round(channels[ch][i] * 8388608)));
      out[p++] = s & 0xff;
      out[p++] = (s >> 8) & 0xff;
      out[p++] = (s >> 16) & 0xff;
    }
  }
  return out;
}

async function time<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const result = await fn();
  const cpu = process.cpuUsage(cpu0);
  console.log(`${label}: wall ${((performance.now() - t0) / 1000).toFixed(2)} s, main-thread CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s`);
  return result;
}

const corpus = new URL('../../../.corpus/tracks/', import.meta.url);
const track = process.argv[2] ?? new URL(readdirSync(corpus).filter((f) => f.endsWith('.ogg')).sort()[0], corpus).pathname;
const oggBytes = new Uint8Array(readFileSync(track));
const ogg = await time(`Ogg Vorbis ${track.split('/').pop()} in-process`, () => decodeAudio(oggBytes));
console.log(`  ${ogg.format.durationSeconds.toFixed(1)} s, ${ogg.sampleRate} Hz, ${ogg.channels.length} ch`);
await time('Ogg Vorbis in worker', () => decodeInWorker(oggBytes));

const wav = write24BitWav(ogg.channels, ogg.sampleRate);
const wavPath = join(tmpdir(), 'decode-bench-24bit.wav');
writeFileSync(wavPath, wav);
await time(`24-bit WAV (${(wav.length / 1e6).toFixed(0)} MB) in-process`, () => decodeAudio(wav));
await time('24-bit WAV in worker', () => decodeInWorker(wav));
rmSync(wavPath);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
