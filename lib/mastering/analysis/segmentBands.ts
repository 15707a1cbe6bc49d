/**
 * Band powers of mid and side for each Welch segment of a track, not only their average (longTermSpectrum.ts): what
 * lets the whole track's spectrum be predicted through a level-dependent chain (match/tonalModel.ts) from a short probe
 * of it. Segment f starts at frame f·hop; its powers come from the same packed mid/side transform the long-term
 * spectrum sums (mid in the real part, side in the imaginary), and are on that transform's scale (only ratios of them
 * are used).
 */
import { createComplexFft, hannWindow, type ComplexFft } from '@/lib/audio/fft';
import type { WorkingAudio } from '@/lib/audio/workingAudio';
import type { BandSet } from './bands';

export interface SegmentBands {
  segmentFrames: number;
  hopFrames: number;
  /** Segments recorded. */
  count: number;
  bandCount: number;
  /** count × bandCount, row by row: segment f's band b at f·bandCount + b. */
  mid: Float32Array;
  side: Float32Array;
}

/** Which bins each band sums, with the fractional weights of its edge bins (as integrateBands weighs them). */
interface BandPlan {
  first: Int32Array;
  last: Int32Array;
  firstWeight: Float64Array;
  lastWeight: Float64Array;
}

function planBands(bands: BandSet, size: number, sampleRate: number): BandPlan {
  const binHz = sampleRate / size;
  const lastBin = size / 2;
  const count = bands.centresHz.length;
  const plan: BandPlan = { first: new Int32Array(count), last: new Int32Array(count).fill(-1), firstWeight: new Float64Array(count), lastWeight: new Float64Array(count) };
  for (let b = 0; b < count; b++) {
    const lo = bands.lowerHz[b] / binHz;
    const hi = Math.min(bands.upperHz[b] / binHz, lastBin + 0.5);
    if (hi <= lo) continue;
    // Bin k covers [k - 0.5, k + 0.5) in bin units.
    const first = Math.max(0, Math.floor(lo + 0.5));
    const last = Math.min(lastBin, Math.floor(hi + 0.5));
    plan.first[b] = first;
    plan.last[b] = last;
    plan.firstWeight[b] = Math.max(0, Math.min(hi, first + 0.5) - Math.max(lo, first - 0.5));
    plan.lastWeight[b] = Math.max(0, Math.min(hi, last + 0.5) - Math.max(lo, last - 0.5));
  }
  return plan;
}

/** Mid and side power per band of one packed transform z = FFT(window·(mid + i·side)) of `size` points. */
function bandPowers(z: Float32Array, size: number, plan: BandPlan, mid: Float32Array, side: Float32Array, at: number): void {
  for (let b = 0; b < plan.first.length; b++) {
    const first = plan.first[b];
    const last = plan.last[b];
    let m = 0;
    let s = 0;
    for (let k = first; k <= last; k++) {
      const mirror = k === 0 ? 0 : size - k;
      const re = z[2 * k];
      const im = z[2 * k + 1];
      const mre = z[2 * mirror];
      const mim = z[2 * mirror + 1];
      const mr = re + mre;
      const mi = im - mim;
      const sr = im + mim;
      const si = mre - re;
      const w = k === first ? plan.firstWeight[b] : k === last ? plan.lastWeight[b] : 1;
      m += w * (mr * mr + mi * mi);
      s += w * (sr * sr + si * si);
    }
    mid[at + b] = m;
    side[at + b] = s;
  }
}

/** Records each segment's band powers as the long-term spectrum's accumulator transforms it. */
export class SegmentBandRecorder {
  private readonly plan: BandPlan;
  private readonly bandCount: number;
  private mid: Float32Array;
  private side: Float32Array;
  private count = 0;

  constructor(
    bands: BandSet,
    private readonly size: number,
    sampleRate: number,
    expectedSegments = 256,
  ) {
    this.plan = planBands(bands, size, sampleRate);
    this.bandCount = bands.centresHz.length;
    this.mid = new Float32Array(Math.max(1, expectedSegments) * this.bandCount);
    this.side = new Float32Array(this.mid.length);
  }

  add(z: Float32Array): void {
    const at = this.count * this.bandCount;
    if (at + this.bandCount > this.mid.length) {
      const grow = (a: Float32Array) => {
        const b = new Float32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.mid = grow(this.mid);
      this.side = grow(this.side);
    }
    bandPowers(z, this.size, this.plan, this.mid, this.side, at);
    this.count++;
  }

  finish(): SegmentBands {
    const used = this.count * this.bandCount;
    return { segmentFrames: this.size, hopFrames: this.size / 2, count: this.count, bandCount: this.bandCount, mid: this.mid.slice(0, used), side: this.side.slice(0, used) };
  }
}

/**
 * The band powers of segments of `segmentFrames` starting at each of `starts` in `work` (stereo, frames inside it),
 * on the same scale as SegmentBandRecorder's: for measuring a rendered excerpt as the track's segments were measured.
 */
export async function segmentBandsAt(work: WorkingAudio, starts: readonly number[], bands: BandSet, segmentFrames: number): Promise<SegmentBands> {
  const { fft, window } = await transformOf(segmentFrames);
  const recorder = new SegmentBandRecorder(bands, segmentFrames, work.sampleRate, starts.length);
  const [left, right] = work.channels;
  for (const start of starts) {
    packWindowed(left, right ?? left, start, window, fft.input, segmentFrames);
    fft.forward();
    recorder.add(fft.output);
  }
  return recorder.finish();
}

/**
 * The transform and window of the last size asked for, kept for the next call: a master measures its probe's segments
 * at every drive it tries, and setting up a 32768-point transform and its window each time cost ~2-3 ms per call on
 * each thread. Kept per thread (each has its own module instance); the previous size's transform is freed.
 */
let transform: { size: number; ready: Promise<{ fft: ComplexFft; window: Float32Array }> } | null = null;

function transformOf(size: number): Promise<{ fft: ComplexFft; window: Float32Array }> {
  if (transform?.size !== size) {
    const previous = transform?.ready;
    previous?.then(({ fft }) => fft.dispose(), () => undefined);
    transform = { size, ready: createComplexFft(size).then((fft) => ({ fft, window: hannWindow(size) })) };
  }
  return transform.ready;
}

/**
 * window·(mid + i·side) of the segment at `start` into `input` (a mono track is its own right channel: side 0). A
 * function of its own: as a loop of segmentBandsAt it was compiled on stack replacement in the first call, before the
 * transform after it had run, and deoptimised there. longTermSpectrum.ts windowMidSide is its twin for the analysis's
 * float32 pieces (the same products); this one reads a float64 render, and sharing one loop between both element types
 * would make the analysis's hot loop polymorphic.
 */
function packWindowed(left: Float64Array, right: Float64Array, start: number, window: Float32Array, input: Float32Array, segmentFrames: number): void {
  for (let i = 0; i < segmentFrames; i++) {
    const l = left[start + i];
    const r = right[start + i];
    input[2 * i] = window[i] * 0.5 * (l + r);
    input[2 * i + 1] = window[i] * 0.5 * (l - r);
  }
}

/** Segment band powers measured in parts (e.g. on two threads), joined in order. */
export function joinSegmentBands(parts: readonly SegmentBands[]): SegmentBands {
  const [first] = parts;
  const count = parts.reduce((a, p) => a + p.count, 0);
  const mid = new Float32Array(count * first.bandCount);
  const side = new Float32Array(count * first.bandCount);
  let at = 0;
  for (const p of parts) {
    mid.set(p.mid, at);
    side.set(p.side, at);
    at += p.mid.length;
  }
  return { segmentFrames: first.segmentFrames, hopFrames: first.hopFrames, count, bandCount: first.bandCount, mid, side };
}
