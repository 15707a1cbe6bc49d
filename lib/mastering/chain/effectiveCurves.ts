/**
 * What the mid/side FIR actually renders, from settings: the EQ curve (fine curve or regenerated from the bands, see
 * the rule in settings.ts) scaled by the EQ amount, plus on the side only the stereo width (per band, scaled by the
 * width amount, edges blended over 1/3 octave so the side curve has no steps) and the mono-bass cut.
 */
import { cascadeResponseDb, designBiquad } from '@/lib/audio/biquad';
import type { EqBand, MasteringSettings } from '../settings';

export interface MidSideCurves {
  frequenciesHz: number[];
  midDb: number[];
  sideDb: number[];
  /** True when both curves are 0 dB everywhere (the FIR stage can be skipped: bit-exact bypass). */
  flat: boolean;
}

/** A sample rate high enough that the bilinear warp of the bands is negligible up to 20 kHz. */
const BAND_EVALUATION_RATE = 384000;

export function bandsResponseDb(bands: EqBand[], frequenciesHz: number[]): number[] {
  if (bands.length === 0) return frequenciesHz.map(() => 0);
  const sections = bands.map((b) => designBiquad({ type: b.type, frequencyHz: b.frequencyHz, gainDb: b.gainDb, q: b.q }, BAND_EVALUATION_RATE));
  return Array.from(cascadeResponseDb(sections, frequenciesHz, BAND_EVALUATION_RATE));
}

/** Side gain of the stereo stage at f (dB, at 100 %): bands blended in log-frequency around their edges. */
function stereoGainDbAt(edgesHz: number[], gains: number[], f: number): number {
  const x = Math.log2(f);
  const blend = 1 / 6; // half-width of the transition, octaves
  let value = gains[0];
  for (let i = 1; i < gains.length; i++) {
    const e = Math.log2(edgesHz[i]);
    const t = Math.min(1, Math.max(0, (x - (e - blend)) / (2 * blend)));
    value += t * (gains[i] - gains[i - 1]);
  }
  return value;
}

export function effectiveMidSideCurves(settings: MasteringSettings): MidSideCurves {
  const { eq, stereo } = settings;
  const frequenciesHz = eq.curve.frequenciesHz;
  let midDb = frequenciesHz.map(() => 0);
  let sideDb = frequenciesHz.map(() => 0);
  if (eq.enabled && eq.amount > 0) {
    const mid = eq.mode === 'bands' ? bandsResponseDb(eq.bands.mid, frequenciesHz) : eq.curve.midDb;
    // No side bands means the side follows the mid (what derive writes when they match): editing a mid band of such
    // settings must not leave the side unequalised and shift the stereo balance.
    const side = eq.mode === 'bands' ? (eq.bands.side.length > 0 ? bandsResponseDb(eq.bands.side, frequenciesHz) : mid) : eq.curve.sideDb;
    midDb = mid.map((v) => v * eq.amount);
    sideDb = side.map((v) => v * eq.amount);
  }
  if (stereo.enabled) {
    if (stereo.amount > 0) {
      sideDb = sideDb.map((v, i) => v + stereo.amount * stereoGainDbAt(stereo.edgesHz, stereo.sideGainDb, frequenciesHz[i]));
    }
    if (stereo.monoBelowHz !== null) {
      const cut = stereo.monoBelowHz;
      // 24 dB/octave-like roll-off below the corner, floored at "silence".
      sideDb = sideDb.map((v, i) => {
        const octavesBelow = Math.log2(cut / frequenciesHz[i]);
        return octavesBelow <= 0 ? v : Math.max(-130, v - 24 * octavesBelow - 6);
      });
    }
  }
  const flat = midDb.every((v) => v === 0) && sideDb.every((v) => v === 0);
  return { frequenciesHz, midDb, sideDb, flat };
}
