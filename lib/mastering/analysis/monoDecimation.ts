/**
 * A low-rate mono copy (about 11 kHz) for the descriptors that only need the musical content: key, tempo,
 * onsets, dynamic complexity. At a quarter of the samples essentia's algorithms fit the analysis budget.
 */
import type { PcmAudio } from '@/lib/audio/types';

export const DESCRIPTOR_TARGET_RATE = 11025;

export interface MonoSignal {
  sampleRate: number;
  samples: Float32Array;
}

export function decimatedMono(pcm: PcmAudio, targetRate = DESCRIPTOR_TARGET_RATE): MonoSignal {
  const factor = Math.max(1, Math.floor(pcm.sampleRate / targetRate));
  const [left, right] = pcm.channels;
  const length = left.length;
  const outLength = Math.ceil(length / factor);
  const samples = new Float32Array(outLength);
  if (factor === 1) {
    for (let i = 0; i < length; i++) samples[i] = right ? (left[i] + right[i]) * 0.5 : left[i];
    return { sampleRate: pcm.sampleRate, samples };
  }
  // Blackman-windowed sinc, cutoff at 90 % of the new Nyquist, 3·factor+1 taps: a soft transition band is fine for
  // descriptors, and this costs a few tens of milliseconds per track.
  const half = Math.ceil(1.5 * factor);
  const taps = new Float64Array(2 * half + 1);
  const cutoff = 0.9 / factor / 2;
  let sum = 0;
  for (let i = -half; i <= half; i++) {
    const x = 2 * Math.PI * cutoff * i;
    const sinc = i === 0 ? 1 : Math.sin(x) / (Math.PI * i) / (2 * cutoff);
    const w = 0.42 + 0.5 * Math.cos((Math.PI * i) / (half + 1)) + 0.08 * Math.cos((2 * Math.PI * i) / (half + 1));
    taps[i + half] = sinc * w;
    sum += sinc * w;
  }
  const gain = right ? 0.5 / sum : 1 / sum;
  for (let i = 0; i < taps.length; i++) taps[i] *= gain;
  // Sum to mono once, then filter: half the multiply-adds of filtering both channels.
  const mono = new Float32Array(length);
  if (right) for (let i = 0; i < length; i++) mono[i] = left[i] + right[i];
  else mono.set(left);
  const tapCount = taps.length;
  for (let o = 0; o < outLength; o++) {
    const first = o * factor - half;
    let acc = 0;
    if (first >= 0 && first + tapCount <= length) {
      for (let i = 0; i < tapCount; i++) acc += taps[i] * mono[first + i];
    } else {
      for (let i = 0; i < tapCount; i++) {
        const j = first + i;
        if (j >= 0 && j < length) acc += taps[i] * mono[j];
      }
    }
    samples[o] = acc;
  }
  return { sampleRate: pcm.sampleRate / factor, samples };
}
