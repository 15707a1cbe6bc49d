/** Music-like synthetic stereo signals for the matching tests: tilted noise plus tones, with loud and quiet sections. */
import type { PcmAudio } from '@/lib/audio/types';

export interface SyntheticMixOptions {
  seconds?: number;
  sampleRate?: number;
  /** One-pole low-pass coefficient of the noise (0 = white, 0.95 = dark). */
  darkness?: number;
  /** Level of the loud sections (dBFS of the noise before tones). */
  levelDb?: number;
  /** Quiet sections sit this many dB under the loud ones. */
  dynamicsDb?: number;
  /** Side level relative to mid (dB). */
  sideDb?: number;
  seed?: number;
}

/** Repeatable uniform noise in [-0.5, 0.5) (a linear congruential generator). */
function uniformNoise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}

export function syntheticMix(options: SyntheticMixOptions = {}): PcmAudio {
  const rate = options.sampleRate ?? 44100;
  const n = Math.round((options.seconds ?? 20) * rate);
  const darkness = options.darkness ?? 0.5;
  const level = 10 ** ((options.levelDb ?? -20) / 20);
  const dyn = options.dynamicsDb ?? 10;
  const side = 10 ** ((options.sideDb ?? -8) / 20);
  const rand = uniformNoise(options.seed ?? 1);
  const left = new Float32Array(n);
  const right = new Float32Array(n);
  let m1 = 0;
  let s1 = 0;
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    // 4 s sections alternating loud/quiet with 0.5 s ramps
    const phase = (t % 8) / 8;
    const env = phase < 0.5 ? 1 : 10 ** (-dyn / 20);
    m1 = darkness * m1 + (1 - darkness) * rand();
    s1 = darkness * s1 + (1 - darkness) * rand();
    const tones = 0.3 * Math.sin(2 * Math.PI * 110 * t) + 0.15 * Math.sin(2 * Math.PI * 440 * t) + 0.05 * Math.sin(2 * Math.PI * 3520 * t);
    const mid = level * env * (4 * m1 + tones);
    const sd = level * env * side * 4 * s1;
    left[i] = mid + sd;
    right[i] = mid - sd;
  }
  return { sampleRate: rate, channels: [left, right] };
}

/**
 * A kick drum (a 130→50 Hz sweep decaying over 150 ms, every `periodSeconds`) over quiet noise: what a limiter changes
 * the tonal balance of (it takes the kick's low end down), so a derived master needs a second, folded render.
 */
export function kickMix(options: { seconds?: number; kickDb?: number; noiseDb?: number; periodSeconds?: number } = {}): PcmAudio {
  const rate = 44100;
  const n = Math.round((options.seconds ?? 20) * rate);
  const period = options.periodSeconds ?? 0.5;
  const kick = 10 ** ((options.kickDb ?? -1) / 20);
  const noise = 10 ** ((options.noiseDb ?? -24) / 20);
  const rand = uniformNoise(1);
  const left = new Float32Array(n);
  const right = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const phase = (i / rate) % period;
    const k = phase < 0.15 ? kick * Math.exp(-phase * 25) * Math.sin(2 * Math.PI * (50 + 80 * Math.exp(-phase * 40)) * phase) : 0;
    const a = noise * rand();
    const b = noise * rand();
    left[i] = k + a;
    right[i] = k + 0.7 * a + 0.3 * b;
  }
  return { sampleRate: rate, channels: [left, right] };
}
