/**
 * Test-only synthetic programme material for the encoder and resampler tests: broadband, stereo-distinct,
 * reproducible, loud enough to gate in for BS.1770 but with headroom for lossy codecs' overshoot.
 */
import type { PcmAudio } from '../types';

export function musicLikeSignal(sampleRate: number, seconds: number, channelCount = 2, seed = 1): PcmAudio {
  const frames = Math.round(sampleRate * seconds);
  let s = seed >>> 0 || 1;
  const random = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296 - 0.5;
  };
  const channels: Float32Array[] = [];
  for (let ch = 0; ch < channelCount; ch++) {
    const out = new Float32Array(frames);
    const partials = [110, 220 * (1 + ch * 0.01), 440, 659.3, 1320, 2637, 5274, 9000].map((f, k) => ({
      w: (2 * Math.PI * f) / sampleRate,
      a: 0.12 / (k + 1) ** 0.5,
      phase: k + ch,
    }));
    let lp = 0;
    for (let i = 0; i < frames; i++) {
      let v = 0;
      for (const p of partials) v += p.a * Math.sin(p.w * i + p.phase);
      // Pink-ish noise for broadband content, with a slow tremolo so loudness varies over time.
      lp = 0.97 * lp + 0.03 * random();
      v += 0.03 * random() + 0.6 * lp;
      const envelope = 0.6 + 0.4 * Math.sin((2 * Math.PI * 0.7 * i) / sampleRate + ch);
      out[i] = 0.5 * v * envelope;
    }
    channels.push(out);
  }
  return { sampleRate, channels };
}
