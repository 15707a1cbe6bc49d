/**
 * A low-rate mono copy (about 11 kHz) for the descriptors that only need the musical content: tempo, onsets and
 * dynamic complexity. At a quarter of the samples essentia's algorithms fit the analysis budget.
 */
import type { PcmAudio } from '@/lib/audio/types';

export const DESCRIPTOR_TARGET_RATE = 11025;

export interface MonoSignal {
  sampleRate: number;
  samples: Float32Array;
}

/**
 * Boxcar decimation: each output sample is the mean of `factor` input frames of (L+R)/2. Its nulls sit on the
 * multiples of the new rate, so aliasing is partial (about -10 dB at 3/4 of the new rate), which onset flux and
 * loudness-envelope descriptors tolerate; in exchange it costs one add per input sample, a quarter of a short FIR
 * on this machine's budget. Nothing pitch-related reads this copy (the key uses the full-rate spectrum).
 */
export function decimatedMono(pcm: PcmAudio, targetRate = DESCRIPTOR_TARGET_RATE): MonoSignal {
  const factor = Math.max(1, Math.floor(pcm.sampleRate / targetRate));
  const left = pcm.channels[0];
  const right = pcm.channels[1] ?? left;
  const outLength = Math.floor(left.length / factor);
  const samples = new Float32Array(outLength);
  const scale = 0.5 / factor;
  for (let o = 0, i = 0; o < outLength; o++) {
    let acc = 0;
    for (const end = i + factor; i < end; i++) acc += left[i] + right[i];
    samples[o] = acc * scale;
  }
  return { sampleRate: pcm.sampleRate / factor, samples };
}
