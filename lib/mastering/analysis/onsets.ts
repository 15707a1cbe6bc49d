/**
 * Onset detection function (log-compressed spectral flux) and onset picking on the low-rate mono copy. Two
 * consecutive frames share one complex FFT (frame t in the real part, t+1 in the imaginary part).
 */
import { createComplexFft, hannWindow } from '@/lib/audio/fft';
import { packedStft } from '@/lib/audio/stft';
import type { MonoSignal } from './monoDecimation';

export interface OnsetAnalysis {
  /** Novelty per hop, half-wave rectified log-magnitude flux. */
  novelty: Float32Array;
  noveltyRateHz: number;
  onsetTimesSeconds: number[];
}

const FRAME_SIZE = 512;
// 23 ms steps (43 Hz at 11025 Hz): fine enough for onset density and for TempoTapDegara, at half the cost of 86 Hz.
const HOP_SIZE = 256;
/** log(1 + γ|X|) makes the flux respond to relative change, so quiet passages still show onsets. */
const COMPRESSION = 100;

/**
 * Bins are pooled into ~1/8-octave bands above 250 Hz before the log: the flux barely changes and the log, the
 * expensive part, runs 47 times per frame instead of 257.
 */
function bandOfBin(bins: number): { bandOf: Uint8Array; bands: number } {
  const bandOf = new Uint8Array(bins);
  const linear = 12;
  for (let k = 0; k < bins; k++) bandOf[k] = k < linear ? k : linear + Math.floor(8 * Math.log2(k / linear));
  return { bandOf, bands: bandOf[bins - 1] + 1 };
}

export async function detectOnsets(signal: MonoSignal): Promise<OnsetAnalysis> {
  const { samples } = signal;
  const frames = samples.length >= FRAME_SIZE ? Math.floor((samples.length - FRAME_SIZE) / HOP_SIZE) + 1 : 0;
  const novelty = new Float32Array(Math.max(frames, 0));
  const noveltyRateHz = signal.sampleRate / HOP_SIZE;
  if (frames < 2) return { novelty, noveltyRateHz, onsetTimesSeconds: [] };
  const fft = await createComplexFft(FRAME_SIZE);
  const window = hannWindow(FRAME_SIZE);
  const bins = FRAME_SIZE / 2 + 1;
  const { bandOf, bands } = bandOfBin(bins);
  let previous = new Float32Array(bands);
  let current = new Float32Array(bands);
  let other = new Float32Array(bands);
  const scale = (COMPRESSION * COMPRESSION) / 4; // |X|² with the split's factor 1/2 folded in
  let frameIndex = 0;
  const usable = samples.subarray(0, (frames - 1) * HOP_SIZE + FRAME_SIZE);
  // b starts one hop later than a; stepping two hops visits frames (2f, 2f+1).
  const a = usable;
  const b = usable.subarray(HOP_SIZE);
  try {
    packedStft(a, b, { fft, window, hopSize: 2 * HOP_SIZE }, (_pair, start, z) => {
      const hasSecond = start + HOP_SIZE + FRAME_SIZE <= usable.length;
      current.fill(0);
      other.fill(0);
      for (let k = 0; k < bins; k++) {
        const mirror = k === 0 ? 0 : FRAME_SIZE - k;
        const zr = z[2 * k];
        const zi = z[2 * k + 1];
        const cr = z[2 * mirror];
        const ci = z[2 * mirror + 1];
        const ar = zr + cr;
        const ai = zi - ci;
        const br = zi + ci;
        const bi = cr - zr;
        const band = bandOf[k];
        current[band] += ar * ar + ai * ai;
        other[band] += br * br + bi * bi;
      }
      for (let band = 0; band < bands; band++) {
        current[band] = Math.log1p(Math.sqrt(current[band] * scale));
        other[band] = Math.log1p(Math.sqrt(other[band] * scale));
      }
      novelty[frameIndex] = frameIndex === 0 ? 0 : flux(previous, current);
      frameIndex++;
      if (hasSecond && frameIndex < frames) {
        novelty[frameIndex] = flux(current, other);
        frameIndex++;
        const spare = previous;
        previous = other;
        other = spare;
      } else {
        const spare = previous;
        previous = current;
        current = spare;
      }
    });
  } finally {
    fft.dispose();
  }
  return { novelty, noveltyRateHz, onsetTimesSeconds: pickOnsets(novelty, noveltyRateHz) };
}

function flux(before: Float32Array, after: Float32Array): number {
  let sum = 0;
  for (let k = 0; k < after.length; k++) {
    const rise = after[k] - before[k];
    if (rise > 0) sum += rise;
  }
  return sum;
}

/**
 * Below this flux a frame is not an onset whatever its neighbours do: a rise of about 6 dB (log 2) in a dozen of the
 * ~47 bands. A steady sine's flux, which comes only from how its phase meets the frame grid, stays under 8 even at
 * 55 Hz full scale; a kick or a plucked note reaches tens to hundreds.
 */
export const MIN_ONSET_FLUX = 10;
/**
 * Nor is a frame whose flux is under this share of the curve's 99th percentile: ripple in a quiet passage is not a
 * transient next to the track's real attacks.
 */
export const MIN_ONSET_FLUX_OF_P99 = 0.1;
/** The curve's first and last frames compare against nothing before/after the file: no onsets are reported there. */
const EDGE_SECONDS = 0.1;

/**
 * Peaks of the novelty curve above a moving average plus a margin tied to the curve's own spread, at least
 * 50 ms apart: a fixed threshold would either flood on dense mixes or miss everything on quiet ones. The absolute and
 * relative floors keep steady material (a held tone) from producing onsets, which the spread-based margin alone
 * cannot: it scales itself down to whatever ripple the curve has.
 */
export function pickOnsets(novelty: Float32Array, rateHz: number): number[] {
  const n = novelty.length;
  if (n < 3) return [];
  const sorted = Float32Array.from(novelty).sort();
  const median = sorted[Math.floor(n / 2)];
  const upper = sorted[Math.floor(n * 0.9)];
  const margin = Math.max(1e-6, 0.5 * (upper - median));
  const floor = Math.max(MIN_ONSET_FLUX, MIN_ONSET_FLUX_OF_P99 * sorted[Math.floor(n * 0.99)]);
  const before = Math.max(1, Math.round(0.1 * rateHz));
  const after = Math.max(1, Math.round(0.05 * rateHz));
  const localRadius = Math.max(1, Math.round(0.03 * rateHz));
  const minGap = Math.max(1, Math.round(0.05 * rateHz));
  const edge = Math.max(1, Math.round(EDGE_SECONDS * rateHz));
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + novelty[i];
  const onsets: number[] = [];
  let last = -Infinity;
  for (let i = edge; i < n - edge; i++) {
    const value = novelty[i];
    if (value < floor) continue;
    const lo = Math.max(0, i - before);
    const hi = Math.min(n, i + after + 1);
    const mean = (prefix[hi] - prefix[lo]) / (hi - lo);
    if (value < mean + margin) continue;
    let isPeak = true;
    for (let j = Math.max(0, i - localRadius); j <= Math.min(n - 1, i + localRadius); j++) {
      if (novelty[j] > value || (novelty[j] === value && j < i)) {
        isPeak = false;
        break;
      }
    }
    if (!isPeak || i - last < minGap) continue;
    onsets.push(i / rateHz);
    last = i;
  }
  return onsets;
}
