/**
 * A warning for the report when the master stays far from the reference in a frequency range because the EQ reached
 * one of its limits there (the cut limit, or a boost limited where the mix has little content): without it the
 * engineer sees the distance but not that asking for more EQ is what it would take.
 */
import type { TonalSpectrum } from '../analysis/tonalDistance';
import { curveGainDbAt } from '../chain/midSideFir';
import type { MasteringSettings } from '../settings';
import type { EqLimits } from './derive';

/** Bands further than this from the reference (dB, loudness-normalised) count as missed. */
const MISSED_BY_DB = 3;
/** A curve within this of its limit is at it. */
const AT_LIMIT_DB = 0.5;

const hz = (f: number) => (f >= 1000 ? `${(f / 1000).toFixed(f >= 10000 ? 0 : 1)} kHz` : `${Math.round(f)} Hz`);

/**
 * `reference` and `after`: band levels and the loudness they are relative to (the blend's is 0). Null when no band is
 * both missed and at a limit; otherwise one sentence per contiguous range, joined.
 */
export function eqLimitWarning(settings: MasteringSettings, limits: EqLimits, reference: TonalSpectrum, after: TonalSpectrum): string | null {
  const { curve } = settings.eq;
  if (!settings.eq.enabled || settings.eq.mode !== 'curve' || curve.frequenciesHz.length === 0) return null;
  type Miss = { centreHz: number; byDb: number; kind: 'cut' | 'boost' };
  const misses: (Miss | null)[] = reference.centresHz.map((centreHz, b) => {
    const byDb = after.levelsDb[b] - after.integratedLufs - (reference.levelsDb[b] - reference.integratedLufs);
    if (!Number.isFinite(byDb) || Math.abs(byDb) <= MISSED_BY_DB) return null;
    const gainDb = curveGainDbAt({ frequenciesHz: curve.frequenciesHz, gainDb: curve.midDb }, centreHz);
    const maxBoostDb = curveGainDbAt({ frequenciesHz: limits.frequenciesHz, gainDb: limits.midMaxBoostDb }, centreHz);
    // Brighter than the reference with the curve at its deepest cut, or duller with the curve at its largest boost.
    if (byDb > 0 && gainDb <= -limits.maxCutDb + AT_LIMIT_DB) return { centreHz, byDb, kind: 'cut' };
    if (byDb < 0 && gainDb >= maxBoostDb - AT_LIMIT_DB) return { centreHz, byDb, kind: 'boost' };
    return null;
  });
  const sentences: string[] = [];
  for (let b = 0; b < misses.length; ) {
    const first = misses[b];
    if (!first) {
      b++;
      continue;
    }
    let worst = first;
    let last = first;
    for (b++; b < misses.length && misses[b]?.kind === first.kind; b++) {
      last = misses[b]!;
      if (Math.abs(last.byDb) > Math.abs(worst.byDb)) worst = last;
    }
    const range = first === last ? `around ${hz(first.centreHz)}` : `from ${hz(first.centreHz)} to ${hz(last.centreHz)}`;
    sentences.push(
      first.kind === 'cut'
        ? `The reference has much less energy ${range} than the mix: the EQ stops at its ${limits.maxCutDb} dB cut, and the master stays up to ${worst.byDb.toFixed(1)} dB above the reference there.`
        : `The reference has much more energy ${range} than the mix: the EQ boost is at its limit there (the mix has little content to lift), and the master stays up to ${(-worst.byDb).toFixed(1)} dB below the reference.`,
    );
  }
  return sentences.length > 0 ? sentences.join(' ') : null;
}
