/**
 * Stereo image: L/R correlation and side-to-mid energy, overall, per band (from the long-term spectrum) and per
 * one-second window (to put timestamps on phase problems).
 */
import type { StereoWindowSums } from '@/lib/audio/levelScan';
import { TRUE_PEAK_BLOCK_FRAMES } from '@/lib/audio/truePeak';
import type { PcmAudio } from '@/lib/audio/types';
import { integrateBands, powerToDb, type BandSet } from './bands';
import type { LongTermSpectrum } from './longTermSpectrum';

export interface StereoWindow {
  startSeconds: number;
  correlation: number;
  sideToMidDb: number;
  /** Mean square over both channels in this window, in dBFS (-Infinity for digital silence). */
  levelDbfs: number;
}

/** Windows quieter than this carry no stereo information worth flagging (reverb tails, fades, dither). */
export const STEREO_WINDOW_MIN_LEVEL_DBFS = -60;

export interface StereoTimeStats {
  correlation: number;
  sideToMidDb: number;
  /** Power of the mono fold-down (L+R)/2 relative to the mean channel power: 0 dB identical, -3 dB unrelated. */
  monoFoldDownDb: number;
  /** Mean square over both channels (for RMS and crest factor). */
  meanSquare: number;
  windows: StereoWindow[];
  windowSeconds: number;
}

/** Pearson correlation at zero lag without mean removal: DC is a problem of its own, not width. */
function correlationOf(lr: number, ll: number, rr: number): number {
  const denominator = Math.sqrt(ll * rr);
  return denominator > 0 ? lr / denominator : ll === 0 && rr === 0 ? 1 : 0;
}

/**
 * L/R correlation and side-to-mid energy, overall and per window of `windowSeconds`. With `blockAbsMax` (one array of
 * ceil(frames / TRUE_PEAK_BLOCK_FRAMES) per channel), each channel's largest |sample| per true-peak block comes from
 * the same pass, for measurePeaks: a render's output measurement read the whole render once for these sums and once
 * per channel for the peaks' block maxima (each pass over four minutes of float64 audio is ~30 ms of memory alone).
 */
export function measureStereoOverTime(pcm: PcmAudio, windowSeconds = 1, blockAbsMax?: Float32Array[]): StereoTimeStats {
  const [left, right = left] = pcm.channels;
  const windowSize = Math.max(1, Math.round(windowSeconds * pcm.sampleRate));
  const count = Math.ceil(left.length / windowSize);
  const sums = { lr: new Float64Array(count), ll: new Float64Array(count), rr: new Float64Array(count), windowFrames: windowSize };
  windowSums(left, right, windowSize, sums.lr, sums.ll, sums.rr, blockAbsMax?.[0] ?? null, blockAbsMax?.[1] ?? null);
  return stereoOverTimeFromSums(sums, pcm.sampleRate, left.length);
}

/**
 * Σ l·r, Σ l², Σ r² per window of `windowSize` frames, in one loop over the frames that stores at each window's end,
 * and, when asked, max(0, |l|) and max(0, |r|) per true-peak block (kept at float32, as measurePeaks keeps them).
 * As a loop per window, the per-sample loop was compiled on stack replacement within the first window, before the
 * stores after it had run: it deoptimised there, again in the next window, and then ran uncompiled for the rest of a
 * track (~60 ms of a master's output measurement for what takes ~15 ms compiled).
 */
function windowSums(
  left: ArrayLike<number>,
  right: ArrayLike<number>,
  windowSize: number,
  lrOut: Float64Array,
  llOut: Float64Array,
  rrOut: Float64Array,
  maxL: Float32Array | null,
  maxR: Float32Array | null,
): void {
  const n = left.length;
  let lr = 0;
  let ll = 0;
  let rr = 0;
  let k = 0;
  let end = Math.min(n, windowSize);
  for (let block = 0, i = 0; i < n; block++) {
    let ml = 0;
    let mr = 0;
    const stop = Math.min(n, i + TRUE_PEAK_BLOCK_FRAMES);
    for (; i < stop; i++) {
      const l = left[i];
      const r = right[i];
      lr += l * r;
      ll += l * l;
      rr += r * r;
      ml = Math.max(ml, Math.abs(l));
      mr = Math.max(mr, Math.abs(r));
      if (i + 1 === end) {
        lrOut[k] = lr;
        llOut[k] = ll;
        rrOut[k] = rr;
        lr = 0;
        ll = 0;
        rr = 0;
        k++;
        end = Math.min(n, end + windowSize);
      }
    }
    if (maxL && maxR) {
      maxL[block] = ml;
      maxR[block] = mr;
    }
  }
}

/** The same statistics from per-window sums computed elsewhere (the fused level scan). */
export function stereoOverTimeFromSums(sums: StereoWindowSums, sampleRate: number, frames: number): StereoTimeStats {
  const windowSize = sums.windowFrames;
  const windows: StereoWindow[] = [];
  let tlr = 0;
  let tll = 0;
  let trr = 0;
  for (let k = 0; k < sums.lr.length; k++) {
    const start = k * windowSize;
    const lr = sums.lr[k];
    const ll = sums.ll[k];
    const rr = sums.rr[k];
    tlr += lr;
    tll += ll;
    trr += rr;
    // mid² ∝ ll + rr + 2lr, side² ∝ ll + rr - 2lr
    const windowFrames = Math.max(1, Math.min(windowSize, frames - start));
    windows.push({
      startSeconds: start / sampleRate,
      correlation: correlationOf(lr, ll, rr),
      sideToMidDb: ratioDb(ll + rr - 2 * lr, ll + rr + 2 * lr),
      levelDbfs: powerToDb((ll + rr) / 2 / windowFrames),
    });
  }
  const mean = (tll + trr) / 2;
  return {
    correlation: correlationOf(tlr, tll, trr),
    sideToMidDb: ratioDb(tll + trr - 2 * tlr, tll + trr + 2 * tlr),
    monoFoldDownDb: mean > 0 ? powerToDb((tll + trr + 2 * tlr) / 4 / mean) : 0,
    meanSquare: frames > 0 ? mean / frames : 0,
    windows,
    windowSeconds: windowSize / sampleRate,
  };
}

function ratioDb(numerator: number, denominator: number): number {
  if (numerator <= 0 && denominator <= 0) return -Infinity;
  if (denominator <= 0) return Infinity;
  return powerToDb(Math.max(0, numerator) / denominator);
}

export interface StereoBands {
  correlation: number[];
  sideToMidDb: number[];
}

/** Per band: Σ Re(L·R*) = Σ(|M|²-|S|²), Σ|L|² = Σ(|M|²+|S|²+2Re MS*), Σ|R|² = Σ(|M|²+|S|²-2Re MS*). */
export function measureStereoBands(spectrum: LongTermSpectrum, bands: BandSet): StereoBands {
  const mid = integrateBands(spectrum.midPower, spectrum.binHz, bands);
  const side = integrateBands(spectrum.sidePower, spectrum.binHz, bands);
  const cross = integrateBands(spectrum.midSideCross, spectrum.binHz, bands);
  const correlation: number[] = [];
  const sideToMidDb: number[] = [];
  for (let i = 0; i < mid.length; i++) {
    const ll = mid[i] + side[i] + 2 * cross[i];
    const rr = mid[i] + side[i] - 2 * cross[i];
    correlation.push(clamp(correlationOf(mid[i] - side[i], Math.max(0, ll), Math.max(0, rr)), -1, 1));
    sideToMidDb.push(ratioDb(side[i], mid[i]));
  }
  return { correlation, sideToMidDb };
}

function clamp(value: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, value));
}
