/**
 * essentia.js loader. Two pitfalls handled here, once: on load the WASM glue installs process-wide
 * uncaughtException/unhandledRejection handlers that call abort() (any later unrelated error would kill the
 * process), and every vector it returns lives in a WASM heap that never shrinks unless each one is .delete()d.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

declare const __MASTERING_BUNDLE__: boolean | undefined;

export interface EssentiaVector {
  delete(): void;
  size(): number;
}

/** The subset of essentia.js's core API the analysis calls. */
export interface EssentiaApi {
  arrayToVector(array: Float32Array): EssentiaVector;
  vectorToArray(vector: EssentiaVector): Float32Array;
  DynamicComplexity(signal: EssentiaVector, frameSize?: number, sampleRate?: number): { dynamicComplexity: number; loudness: number };
  SpectralPeaks(spectrum: EssentiaVector, magnitudeThreshold?: number, maxFrequency?: number, maxPeaks?: number, minFrequency?: number, orderBy?: string, sampleRate?: number): { frequencies: EssentiaVector; magnitudes: EssentiaVector };
  HPCP(frequencies: EssentiaVector, magnitudes: EssentiaVector, bandPreset?: boolean, bandSplitFrequency?: number, harmonics?: number, maxFrequency?: number, maxShifted?: boolean, minFrequency?: number, nonLinear?: boolean, normalized?: string, referenceFrequency?: number, sampleRate?: number, size?: number, weightType?: string, windowSize?: number): { hpcp: EssentiaVector };
  Key(pcp: EssentiaVector, numHarmonics?: number, pcpSize?: number, profileType?: string, slope?: number, useMajMin?: boolean, usePolyphony?: boolean, useThreeChords?: boolean): { key: string; scale: string; strength: number; firstToSecondRelativeStrength: number };
  TempoTapDegara(onsetDetections: EssentiaVector, maxTempo?: number, minTempo?: number, resample?: string, sampleRateODF?: number): { ticks: EssentiaVector };
  LoudnessEBUR128(left: EssentiaVector, right: EssentiaVector, hopSize?: number, sampleRate?: number, startAtZero?: boolean): { momentaryLoudness: EssentiaVector; shortTermLoudness: EssentiaVector; integratedLoudness: number; loudnessRange: number };
}

let instance: EssentiaApi | undefined;

export function loadEssentia(): EssentiaApi {
  if (instance) return instance;
  const keepUncaught = new Set(process.listeners('uncaughtException'));
  const keepRejection = new Set(process.listeners('unhandledRejection'));
  const require = createRequire(import.meta.url);
  // The WASM glue and the core API only: the package's index.js also loads its TensorFlow model, extractor and plot
  // add-ons, which the analysis never uses and which cost ~80 ms of CPU per process.
  // From the runtime bundle, the same glue with its WebAssembly in a file beside it (scripts/runtimeBundle.mjs).
  const bundled = typeof __MASTERING_BUNDLE__ !== 'undefined' && __MASTERING_BUNDLE__ ? fileURLToPath(new URL('./essentia-wasm.cjs', import.meta.url)) : null;
  const EssentiaWASM = require(bundled && existsSync(bundled) ? bundled : 'essentia.js/dist/essentia-wasm.umd.js') as unknown;
  const EssentiaCore = require('essentia.js/dist/essentia.js-core.umd.js') as new (wasm: unknown) => EssentiaApi;
  for (const listener of process.listeners('uncaughtException')) {
    if (!keepUncaught.has(listener)) process.removeListener('uncaughtException', listener);
  }
  for (const listener of process.listeners('unhandledRejection')) {
    if (!keepRejection.has(listener)) process.removeListener('unhandledRejection', listener);
  }
  instance = new EssentiaCore(EssentiaWASM);
  return instance;
}

/** Runs `body` with vectors that are deleted afterwards, whatever happens. */
export function withVectors<T>(body: (track: <V extends EssentiaVector>(vector: V) => V) => T): T {
  const owned: EssentiaVector[] = [];
  try {
    return body((vector) => {
      owned.push(vector);
      return vector;
    });
  } finally {
    for (const vector of owned) vector.delete();
  }
}
