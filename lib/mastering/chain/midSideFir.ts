/**
 * The EQ and stereo stage: one FIR for mid and one for side, designed from dB curves on a log-frequency grid and run
 * as an FFT overlap-add convolution. Mid goes in the real part and side in the imaginary part of ONE complex FFT:
 * with A = (Hm + Hs)/2 and B = (Hm - Hs)/2, Y[k] = A[k]·Z[k] + B[k]·conj(Z[N-k]) filters both at the cost of one.
 *
 * Linear phase (default): a windowed zero-phase design, delay (taps - 1)/2 compensated so the output is aligned with
 * the input. Minimum phase: the same magnitude by the real-cepstrum method; no pre-ringing, no bulk delay, but mid and
 * side then have different phase where their curves differ.
 */
import { createComplexFft, type ComplexFft } from '@/lib/audio/fft';
import type { WorkingAudio } from '@/lib/audio/workingAudio';

export type FirPhase = 'linear' | 'minimum';

export interface FirCurve {
  frequenciesHz: ArrayLike<number>;
  /** dB per frequency; values ≤ -120 are treated as silence. */
  gainDb: ArrayLike<number>;
}

export interface MidSideFir {
  sampleRate: number;
  taps: number;
  /** Samples the output is shifted back by (linear phase: (taps - 1)/2). */
  delay: number;
  mid: Float64Array;
  side: Float64Array;
}

/** Taps scale with the rate so frequency resolution (~5 Hz after windowing) is the same at 44.1 and 96 kHz. */
export function firTapsFor(sampleRate: number): number {
  return sampleRate <= 50000 ? 16383 : 32767;
}

/** Gain (dB) of the curve at frequency f: linear interpolation in log-frequency, ends held. */
export function curveGainDbAt(curve: FirCurve, f: number): number {
  const fs = curve.frequenciesHz;
  const g = curve.gainDb;
  const n = fs.length;
  if (f <= fs[0]) return g[0];
  if (f >= fs[n - 1]) return g[n - 1];
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fs[mid] <= f) lo = mid;
    else hi = mid;
  }
  const t = Math.log(f / fs[lo]) / Math.log(fs[hi] / fs[lo]);
  return g[lo] + t * (g[hi] - g[lo]);
}

async function withFft<T>(size: number, body: (fft: ComplexFft) => T): Promise<T> {
  const fft = await createComplexFft(size);
  try {
    return body(fft);
  } finally {
    fft.dispose();
  }
}

/** In-place inverse transform of interleaved data via the forward one: ifft(X) = conj(fft(conj(X))) / N. */
function inverse(fft: ComplexFft, data: Float64Array): void {
  const input = fft.input;
  const n = fft.size;
  for (let i = 0; i < n; i++) {
    input[2 * i] = data[2 * i];
    input[2 * i + 1] = -data[2 * i + 1];
  }
  fft.forward();
  const output = fft.output;
  for (let i = 0; i < n; i++) {
    data[2 * i] = output[2 * i] / n;
    data[2 * i + 1] = -output[2 * i + 1] / n;
  }
}

function forward(fft: ComplexFft, data: Float64Array): void {
  // set() converts as element-wise assignment would (to float32 and back); as loops, the first was compiled on stack
  // replacement and deoptimised at the transform after it, in every design.
  fft.input.set(data.subarray(0, 2 * fft.size));
  fft.forward();
  data.set(fft.output.subarray(0, 2 * fft.size));
}

function magnitudeGrid(curve: FirCurve, size: number, sampleRate: number): Float64Array {
  const mag = new Float64Array(size / 2 + 1);
  for (let k = 0; k <= size / 2; k++) {
    const db = curveGainDbAt(curve, (k * sampleRate) / size);
    mag[k] = db <= -120 ? 1e-6 : 10 ** (db / 20);
  }
  return mag;
}

function linearPhaseTaps(curve: FirCurve, taps: number, sampleRate: number, fft: ComplexFft): Float64Array {
  const size = fft.size;
  const mag = magnitudeGrid(curve, size, sampleRate);
  const spec = new Float64Array(2 * size);
  for (let k = 0; k <= size / 2; k++) {
    spec[2 * k] = mag[k];
    if (k > 0 && k < size / 2) spec[2 * (size - k)] = mag[k];
  }
  inverse(fft, spec);
  const half = (taps - 1) / 2;
  const h = new Float64Array(taps);
  for (let j = 0; j < taps; j++) {
    const n = j - half;
    const idx = (n + size) % size;
    // Blackman: its sidelobes (-58 dB) keep the ripple of deep cuts (mono bass) small.
    const x = (2 * Math.PI * j) / (taps - 1);
    const w = 0.42 - 0.5 * Math.cos(x) + 0.08 * Math.cos(2 * x);
    h[j] = spec[2 * idx] * w;
  }
  return h;
}

function minimumPhaseTaps(curve: FirCurve, taps: number, sampleRate: number, fft: ComplexFft): Float64Array {
  const size = fft.size;
  const mag = magnitudeGrid(curve, size, sampleRate);
  const spec = new Float64Array(2 * size);
  for (let k = 0; k <= size / 2; k++) {
    const l = Math.log(mag[k]);
    spec[2 * k] = l;
    if (k > 0 && k < size / 2) spec[2 * (size - k)] = l;
  }
  inverse(fft, spec); // real cepstrum
  for (let n = 1; n < size / 2; n++) {
    spec[2 * n] *= 2;
    spec[2 * n + 1] *= 2;
  }
  for (let n = size / 2 + 1; n < size; n++) {
    spec[2 * n] = 0;
    spec[2 * n + 1] = 0;
  }
  forward(fft, spec);
  for (let k = 0; k < size; k++) {
    const re = spec[2 * k];
    const im = spec[2 * k + 1];
    const e = Math.exp(re);
    spec[2 * k] = e * Math.cos(im);
    spec[2 * k + 1] = e * Math.sin(im);
  }
  inverse(fft, spec);
  const h = new Float64Array(taps);
  const fade = Math.floor(taps / 4);
  for (let j = 0; j < taps; j++) {
    // Half-window on the tail only: the start of a minimum-phase response carries its energy.
    const w = j < taps - fade ? 1 : 0.5 + 0.5 * Math.cos((Math.PI * (j - (taps - fade))) / fade);
    h[j] = spec[2 * j] * w;
  }
  return h;
}

function isFlat(curve: FirCurve): boolean {
  for (let i = 0; i < curve.gainDb.length; i++) if (curve.gainDb[i] !== 0) return false;
  return true;
}

export async function designMidSideFir(mid: FirCurve, side: FirCurve, sampleRate: number, phase: FirPhase): Promise<MidSideFir> {
  const taps = firTapsFor(sampleRate);
  const designSize = phase === 'linear' ? taps + 1 : 4 * (taps + 1);
  return withFft(designSize, (fft) => {
    const design = (c: FirCurve) => (phase === 'linear' ? linearPhaseTaps(c, taps, sampleRate, fft) : minimumPhaseTaps(c, taps, sampleRate, fft));
    const m = design(mid);
    const s = isFlat(side) && isFlat(mid) ? m : design(side);
    return { sampleRate, taps, delay: phase === 'linear' ? (taps - 1) / 2 : 0, mid: m, side: s };
  });
}

/**
 * Filters a stereo (or mono: mid only) working buffer in place. Overlap-add with an FFT of 4·(taps + 1): blocks of
 * size - taps + 1 new samples (three quarters of each FFT is new signal; with 2·(taps + 1) only half was, and a
 * four-minute track took 440 ms instead of 268 ms; 8·(taps + 1) falls out of cache and is slower again). The delay is
 * compensated, so output sample n corresponds to input sample n.
 *
 * Each block's loops are small functions of their own (below), called once per block. As one function, its loops
 * were compiled on stack replacement one after another in the first pass, each copy lacking type feedback for the
 * code after its loop: it deoptimised there, and the cached copy did again in the next pass (the first pass over a
 * four-minute track 1.9x as long as a warm one, the second 1.7x, five compilations of up to 24 ms each per thread).
 */
export async function processMidSideFir(work: WorkingAudio, fir: MidSideFir): Promise<void> {
  const [left, right] = work.channels;
  const n = left.length;
  if (n === 0) return;
  const size = 4 * (fir.taps + 1);
  const block = size - fir.taps + 1;
  await withFft(size, (fft) => {
    // Filter spectra.
    const hm = new Float64Array(2 * size);
    const hs = new Float64Array(2 * size);
    for (let j = 0; j < fir.taps; j++) {
      hm[2 * j] = fir.mid[j];
      hs[2 * j] = fir.side[j];
    }
    forward(fft, hm);
    forward(fft, hs);
    const a = new Float64Array(2 * size);
    const b = new Float64Array(2 * size);
    for (let i = 0; i < 2 * size; i++) {
      a[i] = 0.5 * (hm[i] + hs[i]);
      b[i] = 0.5 * (hm[i] - hs[i]);
    }
    // Overlap-add: each block's convolution spans `size` sums (indices start..start+size-1). Its first `block` are
    // final once the block is added (the last taps - 1 sums of the block before are carried into them); their output
    // indices lie before any input not yet read, so the result is written back in place and no full-length output
    // copy is ever allocated. The sums are formed as 0 + y where nothing is carried, as an accumulator would.
    const carried = fir.taps - 1;
    const carryM = new Float64Array(carried);
    const carryS = new Float64Array(carried);
    const delay = fir.delay;
    const total = n + delay; // convolution samples needed so that output index (k - delay) covers 0..n-1
    const scale = 1 / size;
    for (let start = 0; start < total; start += block) {
      const count = Math.min(block, Math.max(0, n - start));
      const final = Math.min(block, total - start);
      // Output index of sum i is start + i - delay: only sums in [from, to) land in 0..n-1.
      const from = Math.max(0, delay - start);
      const to = Math.min(final, n + delay - start);
      // This block's convolution reaches sums [0, added); a block past the input's end adds nothing to what was
      // carried into it.
      let added = 0;
      if (count > 0) {
        if (right) packMidSide(left, right, start, count, fft.input);
        else packMono(left, start, count, fft.input);
        fft.input.fill(0, 2 * count);
        fft.forward();
        // Y = A·Z + B·conj(Z[N-k]), then conj for the inverse-by-forward trick.
        applyMidSideSpectra(fft.output, a, b, fft.input, size);
        fft.forward();
        added = Math.min(size, count + fir.taps - 1);
      }
      // The block's sums, read only below `added` (none of them past the input's end).
      const y = fft.output;
      // Each final sum: what the block before carried into it (or 0) plus this block's part where it reaches.
      if (right) writeMidSide(y, carryM, carryS, carried, added, scale, from, to, start - delay, left, right);
      else writeMono(y, carryM, carried, added, scale, from, to, start - delay, left);
      // The next block's carry: this block's sums past its first `block`.
      carryOver(y, carryM, carryS, carried, added, scale, block);
    }
  });
}

/** Mid into the real parts, side into the imaginary parts: one complex transform filters both. */
function packMidSide(left: Float64Array, right: Float64Array, start: number, count: number, input: Float32Array): void {
  for (let i = 0; i < count; i++) {
    const l = left[start + i];
    const r = right[start + i];
    input[2 * i] = 0.5 * (l + r);
    input[2 * i + 1] = 0.5 * (l - r);
  }
}

function packMono(left: Float64Array, start: number, count: number, input: Float32Array): void {
  for (let i = 0; i < count; i++) {
    input[2 * i] = left[start + i];
    input[2 * i + 1] = 0;
  }
}

/** inv = conj(A·Z + B·conj(Z[N-k])): mid's filter on the real part's spectrum, side's on the imaginary part's. */
function applyMidSideSpectra(z: Float32Array, a: Float64Array, b: Float64Array, inv: Float32Array, size: number): void {
  for (let k = 0; k < size; k++) {
    const mk = k === 0 ? 0 : size - k;
    const zr = z[2 * k];
    const zi = z[2 * k + 1];
    const cr = z[2 * mk];
    const ci = -z[2 * mk + 1];
    const ar = a[2 * k], ai = a[2 * k + 1], br = b[2 * k], bi = b[2 * k + 1];
    const yr = ar * zr - ai * zi + br * cr - bi * ci;
    const yi = ar * zi + ai * zr + br * ci + bi * cr;
    inv[2 * k] = yr;
    inv[2 * k + 1] = -yi;
  }
}

/** Final sums [from, to) of a block back into the track at `at + i`, as left and right. */
function writeMidSide(
  y: Float32Array,
  carryM: Float64Array,
  carryS: Float64Array,
  carried: number,
  added: number,
  scale: number,
  from: number,
  to: number,
  at: number,
  left: Float64Array,
  right: Float64Array,
): void {
  for (let i = from; i < to; i++) {
    let m = i < carried ? carryM[i] : 0;
    let sv = i < carried ? carryS[i] : 0;
    if (i < added) {
      m += y[2 * i] * scale;
      sv -= y[2 * i + 1] * scale;
    }
    left[at + i] = m + sv;
    right[at + i] = m - sv;
  }
}

function writeMono(y: Float32Array, carryM: Float64Array, carried: number, added: number, scale: number, from: number, to: number, at: number, left: Float64Array): void {
  for (let i = from; i < to; i++) {
    let m = i < carried ? carryM[i] : 0;
    if (i < added) m += y[2 * i] * scale;
    left[at + i] = m;
  }
}

function carryOver(y: Float32Array, carryM: Float64Array, carryS: Float64Array, carried: number, added: number, scale: number, block: number): void {
  for (let j = 0; j < carried; j++) {
    const k = block + j;
    if (k < added) {
      carryM[j] = 0 + y[2 * k] * scale;
      carryS[j] = 0 - y[2 * k + 1] * scale;
    } else {
      carryM[j] = 0;
      carryS[j] = 0;
    }
  }
}
