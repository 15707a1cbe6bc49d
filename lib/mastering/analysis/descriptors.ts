/**
 * Track-card descriptors. essentia.js and meyda do what they are good at on data we already computed: essentia gets
 * our novelty curve (TempoTapDegara) and spectral peaks of our spectra (HPCP -> Key); meyda's extractors read our
 * amplitude spectra. Neither runs an FFT over the whole track. Dynamic complexity is essentia's definition computed
 * here (dynamicComplexity.ts): handing essentia the mono copy cost more than the algorithm.
 *
 * Key and tempo deliberately read the whole track: estimating them on the loudest 90 s instead saved ~0.1 s CPU but
 * changed the tempo of 2 of the 7 corpus tracks by 3:2 and the key of 2 others.
 */
import { createRequire } from 'node:module';
import { computeDynamicComplexity } from './dynamicComplexity';
import { loadEssentia, withVectors } from './essentia';
import type { KeptFrames } from './longTermSpectrum';
import type { MonoSignal } from './monoDecimation';

export interface Descriptors {
  key: string | null;
  scale: 'major' | 'minor' | null;
  keyStrength: number | null;
  tempoBpm: number | null;
  dynamicComplexity: number | null;
  spectralCentroidHz: number | null;
  spectralFlatness: number | null;
  spectralRolloffHz: number | null;
}

type SpectrumExtractor = (input: { ampSpectrum: Float32Array; sampleRate: number }) => number;

interface MeydaExtractors {
  spectralCentroid: SpectrumExtractor;
  spectralFlatness: SpectrumExtractor;
  spectralRolloff: SpectrumExtractor;
}

let meydaExtractors: MeydaExtractors | undefined;

function loadMeyda(): MeydaExtractors {
  meydaExtractors ??= (createRequire(import.meta.url)('meyda') as { featureExtractors: MeydaExtractors }).featureExtractors;
  return meydaExtractors;
}

/**
 * Loads essentia and meyda now rather than at first use (~150 ms of this thread): a caller that is about to wait for
 * a decoder thread's first samples does it meanwhile.
 */
export function preloadDescriptorLibraries(): void {
  loadEssentia();
  loadMeyda();
}

export interface DescriptorInputs {
  mono: MonoSignal;
  novelty: Float32Array;
  noveltyRateHz: number;
  /** Subsampled |M| spectra from the long-term spectrum pass. */
  frames: KeptFrames;
  binHz: number;
  fftSize: number;
  sampleRate: number;
}

export function computeDescriptors(inputs: DescriptorInputs): Descriptors {
  const { mono } = inputs;
  const dynamicComplexity = mono.samples.length >= mono.sampleRate ? computeDynamicComplexity(mono.samples, mono.sampleRate, 0.2).dynamicComplexity : null;
  const tempoBpm = estimateTempo(inputs.novelty, inputs.noveltyRateHz);
  const key = estimateKey(inputs);
  const spectral = spectralShape(inputs);
  return { ...key, tempoBpm, dynamicComplexity: finiteOrNull(dynamicComplexity), ...spectral };
}

function estimateTempo(novelty: Float32Array, rateHz: number): number | null {
  if (novelty.length < rateHz * 6) return null; // TempoTapDegara works on 6 s frames
  // TempoTapDegara's cost grows with the ODF rate: ~43 Hz costs a quarter of its default ~86 Hz, and averaging many
  // beat intervals below recovers the precision of the coarser grid. Faster novelty curves are pooled down.
  let odf = novelty;
  let odfRateHz = rateHz;
  while (odfRateHz > 60) {
    const pooled = new Float32Array(odf.length >> 1);
    for (let i = 0; i < pooled.length; i++) pooled[i] = Math.max(odf[2 * i], odf[2 * i + 1]);
    odf = pooled;
    odfRateHz /= 2;
  }
  const essentia = loadEssentia();
  const ticks = withVectors((track) => {
    const result = essentia.TempoTapDegara(track(essentia.arrayToVector(odf)), 208, 40, 'none', odfRateHz);
    return essentia.vectorToArray(track(result.ticks));
  });
  if (ticks.length < 4) return null;
  const intervals = Array.from(ticks.subarray(1), (tick, i) => tick - ticks[i]);
  const sorted = [...intervals].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  if (!(median > 0)) return null;
  const steady = intervals.filter((interval) => Math.abs(interval - median) < 0.1 * median);
  const mean = steady.reduce((sum, interval) => sum + interval, 0) / steady.length;
  return Math.round(600 / mean) / 10;
}

const KEY_MAX_HZ = 3500;
const KEY_MIN_HZ = 25;
const KEY_GROUP = 4;

function estimateKey(inputs: DescriptorInputs): Pick<Descriptors, 'key' | 'scale' | 'keyStrength'> {
  const none = { key: null, scale: null, keyStrength: null };
  if (inputs.frames.fine.length === 0) return none;
  const essentia = loadEssentia();
  const lastBin = Math.min(inputs.frames.fine[0].length - 1, Math.ceil(KEY_MAX_HZ / inputs.binHz) + 2);
  // SpectralPeaks maps bin k to k·sr/2/(len-1): pass the rate that makes a truncated spectrum map correctly.
  const effectiveRate = 2 * lastBin * inputs.binHz;
  // Amplitude of a sine through a Hann window is N/4·A: scale so the peak threshold is in signal units.
  const scale = 4 / inputs.fftSize;
  const sum = new Float64Array(12);
  let used = 0;
  const slice = new Float32Array(lastBin + 1);
  const power = new Float64Array(lastBin + 1);
  // essentia.js configures a fresh algorithm on every call, which costs more than the computation: pool the power
  // of KEY_GROUP consecutive kept frames (~3 s of music, the usual chroma smoothing) into one HPCP call.
  const frames = inputs.frames.fine;
  for (let groupStart = 0; groupStart < frames.length; groupStart += KEY_GROUP) {
    power.fill(0);
    const groupEnd = Math.min(frames.length, groupStart + KEY_GROUP);
    for (let f = groupStart; f < groupEnd; f++) {
      const frame = frames[f];
      for (let k = 0; k <= lastBin; k++) power[k] += frame[k] * frame[k];
    }
    let energy = 0;
    const count = groupEnd - groupStart;
    for (let k = 0; k <= lastBin; k++) {
      slice[k] = Math.sqrt(power[k] / count) * scale;
      energy += slice[k];
    }
    if (energy < 1e-4) continue;
    const hpcp = withVectors((track) => {
      const peaks = essentia.SpectralPeaks(track(essentia.arrayToVector(slice)), 0.0001, KEY_MAX_HZ, 60, KEY_MIN_HZ, 'magnitude', effectiveRate);
      track(peaks.frequencies);
      track(peaks.magnitudes);
      if (peaks.frequencies.size() === 0) return undefined;
      const result = essentia.HPCP(peaks.frequencies, peaks.magnitudes, true, 500, 4, KEY_MAX_HZ, false, KEY_MIN_HZ, false, 'unitMax', 440, effectiveRate, 12, 'cosine', 1);
      return essentia.vectorToArray(track(result.hpcp));
    });
    if (!hpcp) continue;
    for (let i = 0; i < 12; i++) sum[i] += hpcp[i];
    used++;
  }
  if (used === 0) return none;
  const mean = Float32Array.from(sum, (v) => v / used);
  const result = withVectors((track) => essentia.Key(track(essentia.arrayToVector(mean)), 4, 12, 'bgate', 0.6, false, true, true));
  const scaleName = result.scale === 'major' || result.scale === 'minor' ? result.scale : null;
  return { key: result.key || null, scale: scaleName, keyStrength: finiteOrNull(result.strength) };
}

function spectralShape(inputs: DescriptorInputs): Pick<Descriptors, 'spectralCentroidHz' | 'spectralFlatness' | 'spectralRolloffHz'> {
  const meyda = loadMeyda();
  let centroid = 0;
  let flatness = 0;
  let rolloff = 0;
  let used = 0;
  const binHz = inputs.frames.coarseBinHz;
  for (const frame of inputs.frames.coarse) {
    let energy = 0;
    for (let k = 0; k < frame.length; k++) energy += frame[k];
    if (energy <= 1e-3) continue;
    // meyda's flatness takes log of every bin: a single exact zero (band-limited lossy file) would make it 0.
    const spectrum = frame.map((v) => v + 1e-9);
    const ampSpectrum = spectrum;
    // meyda returns the centroid as a bin index (mean of k weighted by amplitude).
    centroid += meyda.spectralCentroid({ ampSpectrum, sampleRate: inputs.sampleRate }) * binHz;
    flatness += meyda.spectralFlatness({ ampSpectrum, sampleRate: inputs.sampleRate });
    rolloff += meyda.spectralRolloff({ ampSpectrum, sampleRate: inputs.sampleRate });
    used++;
  }
  if (used === 0) return { spectralCentroidHz: null, spectralFlatness: null, spectralRolloffHz: null };
  return {
    spectralCentroidHz: finiteOrNull(centroid / used),
    spectralFlatness: finiteOrNull(flatness / used),
    spectralRolloffHz: finiteOrNull(rolloff / used),
  };
}

function finiteOrNull(value: number | null | undefined): number | null {
  return value !== null && value !== undefined && Number.isFinite(value) ? value : null;
}
