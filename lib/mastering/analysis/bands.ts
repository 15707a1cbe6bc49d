/**
 * Fractional-octave bands on the base-2 grid (the one the tonal-distance metric specifies): centres
 * 1000·2^(k/fraction) Hz, edges centre·2^(±1/(2·fraction)). Band power integrates a one-sided power spectrum with
 * fractional bin overlap, so bands narrower than one FFT bin (1/6 octave at 20 Hz) still get a sensible value.
 */

export interface BandSet {
  /** Bands per octave (3 = third-octave). */
  fraction: number;
  centresHz: number[];
  lowerHz: number[];
  upperHz: number[];
}

export function fractionalOctaveBands(fraction: number, minCentreHz = 20, maxCentreHz = 20000): BandSet {
  const kMin = Math.ceil(fraction * Math.log2(minCentreHz / 1000) - 1e-9);
  const kMax = Math.floor(fraction * Math.log2(maxCentreHz / 1000) + 1e-9);
  return bandsFromIndices(fraction, kMin, kMax);
}

export function bandsFromIndices(fraction: number, kMin: number, kMax: number): BandSet {
  const centresHz: number[] = [];
  const lowerHz: number[] = [];
  const upperHz: number[] = [];
  const halfBand = 2 ** (1 / (2 * fraction));
  for (let k = kMin; k <= kMax; k++) {
    const centre = 1000 * 2 ** (k / fraction);
    centresHz.push(centre);
    lowerHz.push(centre / halfBand);
    upperHz.push(centre * halfBand);
  }
  return { fraction, centresHz, lowerHz, upperHz };
}

/** Bands whose upper edge exceeds Nyquist are cut at Nyquist; bands entirely above it get NaN-free zero power. */
export function integrateBands(binPower: ArrayLike<number>, binHz: number, bands: BandSet): Float64Array {
  const result = new Float64Array(bands.centresHz.length);
  const lastBin = binPower.length - 1;
  for (let band = 0; band < result.length; band++) {
    const lo = bands.lowerHz[band] / binHz;
    const hi = Math.min(bands.upperHz[band] / binHz, lastBin + 0.5);
    if (hi <= lo) continue;
    // Bin k covers [k - 0.5, k + 0.5) in bin units.
    const first = Math.max(0, Math.floor(lo + 0.5));
    const last = Math.min(lastBin, Math.floor(hi + 0.5));
    let sum = 0;
    for (let k = first; k <= last; k++) {
      const overlap = Math.min(hi, k + 0.5) - Math.max(lo, k - 0.5);
      if (overlap > 0) sum += binPower[k] * overlap;
    }
    result[band] = sum;
  }
  return result;
}

export function powerToDb(power: number): number {
  return power > 0 ? 10 * Math.log10(power) : -Infinity;
}
