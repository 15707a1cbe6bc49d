/**
 * The render chain, 64-bit float from end to end: SRC → EQ+stereo (mid/side FIR) → dynamics → saturation →
 * true-peak limiter → final gain. Sample-rate conversion runs FIRST (not after the limiter) so the limiter works at
 * the delivery rate and its true-peak ceiling holds for the file actually delivered; every setting is in Hz, so
 * nothing else depends on the rate. Dither and encoding follow in encodeMaster.ts.
 *
 * Split in two so the loudness search can re-run only the limiter: renderPreLimiter (EQ, dynamics, saturation)
 * and renderLimiterAndGain.
 */
import { processCompressor, type CompressorStats } from '@/lib/audio/compressor';
import { processGain } from '@/lib/audio/gain';
import { processLimiter, type LimiterSettingsInput, type LimiterStats } from '@/lib/audio/limiter';
import { processSaturation } from '@/lib/audio/saturation';
import type { WorkingAudio } from '@/lib/audio/workingAudio';
import type { DynamicsSettings, MasteringSettings } from '../settings';
import { effectiveMidSideCurves } from './effectiveCurves';
import { designMidSideFir, processMidSideFir, type MidSideFir } from './midSideFir';

export interface PreLimiterStats {
  eqApplied: boolean;
  compressor: CompressorStats | null;
}

/** Designs the FIR the settings ask for at this rate, or null when the EQ/stereo stage is a bypass. */
export async function designChainFir(settings: MasteringSettings, sampleRate: number): Promise<MidSideFir | null> {
  const curves = effectiveMidSideCurves(settings);
  if (curves.flat) return null;
  return designMidSideFir(
    { frequenciesHz: curves.frequenciesHz, gainDb: curves.midDb },
    { frequenciesHz: curves.frequenciesHz, gainDb: curves.sideDb },
    sampleRate,
    settings.eq.phase,
  );
}

/** Compressor parameters with the dynamics amount applied (ratio and makeup scale toward neutral). */
export function scaledCompressor(dynamics: DynamicsSettings) {
  const scale = <T extends { ratio: number; makeupDb: number }>(b: T): T => ({
    ...b,
    ratio: 1 + (b.ratio - 1) * dynamics.amount,
    makeupDb: b.makeupDb * dynamics.amount,
  });
  return {
    enabled: dynamics.enabled && dynamics.amount > 0,
    detector: dynamics.detector,
    rmsWindowMs: dynamics.rmsWindowMs,
    ...scale(dynamics.compressor),
    multiband: dynamics.multiband ? { crossoverHz: dynamics.multiband.crossoverHz, bands: dynamics.multiband.bands.map(scale) } : undefined,
  };
}

/** Which pre-limiter stages to run: the refinement keeps the EQ+dynamics result while it tries saturation levels. */
export interface PreLimiterStages {
  eqAndDynamics: boolean;
  saturation: boolean;
}

const ALL_STAGES: PreLimiterStages = { eqAndDynamics: true, saturation: true };

export async function renderPreLimiter(work: WorkingAudio, settings: MasteringSettings, fir?: MidSideFir | null, stages: PreLimiterStages = ALL_STAGES): Promise<PreLimiterStats> {
  let filter: MidSideFir | null = null;
  let compressor: CompressorStats | null = null;
  if (stages.eqAndDynamics) {
    filter = fir === undefined ? await designChainFir(settings, work.sampleRate) : fir;
    if (filter) await processMidSideFir(work, filter);
    if (settings.dynamics.enabled && settings.dynamics.amount > 0) compressor = processCompressor(work, scaledCompressor(settings.dynamics));
  }
  if (stages.saturation && settings.saturation.enabled) processSaturation(work, settings.saturation);
  return { eqApplied: filter !== null, compressor };
}

export function limiterSettingsFrom(settings: MasteringSettings, inputGainDb = settings.loudness.limiterInputGainDb): LimiterSettingsInput {
  const { loudness } = settings;
  return {
    inputGainDb,
    ceilingDbtp: loudness.ceilingDbtp,
    releaseMs: loudness.limiterReleaseMs,
    holdMs: loudness.limiterHoldMs,
    slowReleaseMs: loudness.limiterSlowReleaseMs,
  };
}

export function renderLimiterAndGain(work: WorkingAudio, settings: MasteringSettings): LimiterStats {
  const stats = processLimiter(work, limiterSettingsFrom(settings));
  processGain(work, { gainDb: settings.loudness.outputGainDb });
  return stats;
}
