/**
 * Dynamic complexity (Streich 2007), computed the way essentia's DynamicComplexity defines it, in one pass over the
 * low-rate mono copy. essentia itself spent most of its time on this copying the signal into its WASM heap element
 * by element; the arithmetic is a first-order filter and a leaky integrator.
 *
 * Definition (essentia 2.1, standard::DynamicComplexity): a cheap "B-curve" high-pass with fixed coefficients, then
 * the squared signal through a 35 ms exponential smoother, read at the end of each `frameSeconds` frame and put on a
 * dB scale (10·log10, powers below 1e-10 read as -100 dB). Frames at that floor are dropped from both ends of the
 * track. The global loudness is the mean of the remaining dB values weighted by 0.9^(-dB), which leans towards the
 * loud frames; the complexity is the mean absolute deviation of the frame levels from it.
 * The floor and the trimming level were pinned against essentia.js 0.1.3 (the build we ship), not its source, whose
 * trim test compares with -90 dB: with these constants ours matches it to float precision on silence at the head,
 * middle and tail, fades, partial frames and every corpus track (dynamicComplexity.test.ts).
 */

export interface DynamicComplexity {
  /** Mean absolute deviation of the frame loudness from the global estimate, dB. */
  dynamicComplexity: number;
  /** The loudness-weighted global level estimate, dB (-100 for silence or too little input, as essentia.js reports it). */
  loudnessDb: number;
}

/** The high-pass essentia uses regardless of sample rate. */
const B0 = 0.98595;
const POLE = 0.9719;
const SMOOTHING_SECONDS = 0.035;
const SILENCE_POWER = 1e-10;
const SILENCE_DB = -100;
/** essentia.js trims the frames sitting at the floor off both ends. */
const TRIM_DB = SILENCE_DB;

export function computeDynamicComplexity(samples: Float32Array, sampleRate: number, frameSeconds = 0.2): DynamicComplexity {
  const frameSize = Math.floor(frameSeconds * sampleRate);
  const frameCount = frameSize > 0 ? Math.floor(samples.length / frameSize) : 0;
  if (samples.length === 0 || frameCount === 0) return { dynamicComplexity: 0, loudnessDb: SILENCE_DB };
  const decay = Math.exp(-1 / (SMOOTHING_SECONDS * sampleRate));
  const gain = 1 - decay;
  const levelsDb = new Float64Array(frameCount);
  let previousInput = 0;
  let filtered = 0;
  let power = 0;
  let index = 0;
  for (let frame = 0; frame < frameCount; frame++) {
    for (const end = index + frameSize; index < end; index++) {
      const x = samples[index];
      filtered = B0 * (x - previousInput) + POLE * filtered;
      previousInput = x;
      power = decay * power + gain * filtered * filtered;
    }
    levelsDb[frame] = power < SILENCE_POWER ? SILENCE_DB : 10 * Math.log10(power);
  }

  let first = 0;
  while (first < frameCount && levelsDb[first] === TRIM_DB) first++;
  let last = frameCount - 1;
  while (last >= first && levelsDb[last] === TRIM_DB) last--;
  if (last < first) return { dynamicComplexity: 0, loudnessDb: SILENCE_DB };

  let weightSum = 0;
  let weighted = 0;
  for (let i = first; i <= last; i++) {
    const weight = 0.9 ** -levelsDb[i];
    weightSum += weight;
    weighted += weight * levelsDb[i];
  }
  const loudnessDb = weighted / weightSum;
  let deviation = 0;
  for (let i = first; i <= last; i++) deviation += Math.abs(levelsDb[i] - loudnessDb);
  return { dynamicComplexity: deviation / (last - first + 1), loudnessDb };
}
