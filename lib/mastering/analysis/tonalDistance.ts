/**
 * The "tonal distance" metric: how far a candidate's long-term spectrum is from a reference's once loudness is
 * taken out. Fixed definition (the mastering issue compares renders with it): Welch, Hann, 32768-sample segments,
 * 50 % overlap, power averaged over L and R, 28 third-octave bands centred 1000·2^(k/3) Hz for k = -15…12, band
 * level = 10·log10 of the summed bins.
 */
import type { PcmAudio } from '@/lib/audio/types';
import { bandsFromIndices, powerToDb, type BandSet } from './bands';
import { longTermSpectrum, type LongTermSpectrum } from './longTermSpectrum';

export const TONAL_BANDS: BandSet = bandsFromIndices(3, -15, 12);

/**
 * The tonal bands (1..28) with the rest of the spectrum on either side of them (0 and 29): a chain that cuts or boosts
 * below 28 Hz or above 18 kHz changes the track's loudness too (an EQ matching a dark reference takes out the air of a
 * bright mix: measured 0.8 LU on a synthetic one), though not its tonal distance.
 */
export const TONAL_BANDS_AND_OUTSIDE: BandSet = {
  fraction: TONAL_BANDS.fraction,
  centresHz: [TONAL_BANDS.lowerHz[0] / 2, ...TONAL_BANDS.centresHz, 20000],
  lowerHz: [0, ...TONAL_BANDS.lowerHz, TONAL_BANDS.upperHz[TONAL_BANDS.upperHz.length - 1]],
  upperHz: [TONAL_BANDS.lowerHz[0], ...TONAL_BANDS.upperHz, Number.MAX_VALUE],
};

export interface TonalSpectrum {
  centresHz: number[];
  /** Band level in dB (relative to full-scale mean square); -Infinity for an empty band. */
  levelsDb: number[];
  /** Integrated loudness of the same audio, used to gain-normalise before comparing. */
  integratedLufs: number;
}

/** Band levels from a mid/side long-term spectrum: (|L|²+|R|²)/2 = |M|²+|S|². */
export function tonalSpectrumFromLongTerm(spectrum: LongTermSpectrum, integratedLufs: number): TonalSpectrum {
  const power = new Float64Array(spectrum.midPower.length);
  for (let k = 0; k < power.length; k++) power[k] = spectrum.midPower[k] + spectrum.sidePower[k];
  const bands = integrateBandsSummed(power, spectrum.binHz);
  return { centresHz: TONAL_BANDS.centresHz.slice(), levelsDb: Array.from(bands, powerToDb), integratedLufs };
}

/** "Summed bins": each FFT bin is counted in the band that contains its centre frequency. */
function integrateBandsSummed(power: Float64Array, binHz: number): Float64Array {
  const result = new Float64Array(TONAL_BANDS.centresHz.length);
  for (let band = 0; band < result.length; band++) {
    const first = Math.max(0, Math.ceil(TONAL_BANDS.lowerHz[band] / binHz));
    const last = Math.min(power.length - 1, Math.ceil(TONAL_BANDS.upperHz[band] / binHz) - 1);
    let sum = 0;
    for (let k = first; k <= last; k++) sum += power[k];
    result[band] = sum;
  }
  return result;
}

/** Standalone measurement for audio that was not fully analysed (e.g. a mastering candidate render). */
export async function measureTonalSpectrum(pcm: PcmAudio, integratedLufs: number): Promise<TonalSpectrum> {
  return tonalSpectrumFromLongTerm(await longTermSpectrum(pcm), integratedLufs);
}

/**
 * Mean absolute dB difference over the 28 bands after shifting the candidate by
 * (reference LUFS - candidate LUFS). Bands empty in both are skipped; a band empty in only one counts as a 60 dB miss
 * so silence where the reference has content is penalised but stays finite.
 */
export function tonalDistanceDb(reference: TonalSpectrum, candidate: TonalSpectrum): number {
  if (reference.levelsDb.length !== candidate.levelsDb.length) throw new Error('tonal spectra have different band sets');
  const gainDb = Number.isFinite(reference.integratedLufs) && Number.isFinite(candidate.integratedLufs)
    ? reference.integratedLufs - candidate.integratedLufs
    : 0;
  const MISS_DB = 60;
  let sum = 0;
  let count = 0;
  for (let i = 0; i < reference.levelsDb.length; i++) {
    const r = reference.levelsDb[i];
    const c = candidate.levelsDb[i] + gainDb;
    const rFinite = Number.isFinite(r);
    const cFinite = Number.isFinite(c);
    if (!rFinite && !cFinite) continue;
    sum += rFinite && cFinite ? Math.abs(r - c) : MISS_DB;
    count++;
  }
  return count > 0 ? sum / count : 0;
}

