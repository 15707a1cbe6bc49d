/**
 * "What changed and why": the numbers before and after, the EQ as curve and bands, gain-reduction statistics and
 * warnings, plus a few sentences built from them. JSON-safe (non-finite figures are null) and validated by zod so the
 * job runner can store it as-is.
 */
import { z } from 'zod';
import type { GainReductionStats } from '@/lib/audio/gainReductionStats';
import { eqBandSchema, type MasteringSettings } from '../settings';

const measured = z.number().nullable();

/** Same shape as `mastering analyze`'s `loudness`. */
export const loudnessFiguresSchema = z.object({
  integratedLufs: measured,
  loudnessRangeLu: measured,
  momentaryMaxLufs: measured,
  shortTermMaxLufs: measured,
  truePeakDbtp: measured,
  samplePeakDbfs: measured,
  plrDb: measured,
});
export type LoudnessFigures = z.infer<typeof loudnessFiguresSchema>;

const gainReductionSchema = z.object({
  maxDb: z.number(),
  meanDb: z.number(),
  percentOver1Db: z.number(),
  histogramEdgesDb: z.array(z.number()),
  histogramPercent: z.array(z.number()),
});

const stateSchema = z.object({
  loudness: loudnessFiguresSchema,
  sideToMidDb: measured,
  correlation: measured,
  /** Tonal distance (dB) to each reference, in input order, and to their weighted blend. */
  tonalDistanceDb: z.array(measured),
  tonalDistanceToBlendDb: measured,
});
export type MasterState = z.infer<typeof stateSchema>;

export const masteringReportSchema = z.object({
  version: z.literal(1),
  summary: z.array(z.string()),
  warnings: z.array(z.string()),
  before: stateSchema,
  after: stateSchema,
  reference: z.object({ integratedLufs: measured, loudnessRangeLu: measured, sideToMidDb: measured, count: z.number().int().min(0) }),
  eq: z.object({
    applied: z.boolean(),
    frequenciesHz: z.array(z.number()),
    /** Rendered curves (amounts, stereo width and mono bass included). */
    midDb: z.array(z.number()),
    sideDb: z.array(z.number()),
    bands: z.object({ mid: z.array(eqBandSchema), side: z.array(eqBandSchema) }),
  }),
  dynamics: z.object({ compressor: z.array(gainReductionSchema), limiter: gainReductionSchema.nullable(), limiterDriveDb: z.number() }),
  loudness: z.object({ targetLufs: z.number(), ceilingDbtp: z.number(), outputGainDb: z.number() }),
  /**
   * One entry per full render, and (predicted: true) for a residual predicted instead of measured: from the probe
   * through the tonal model before the track was rendered, or before a render's limiter ran. Either was folded into
   * the EQ for the next render.
   */
  closedLoop: z.array(z.object({ driveDb: z.number(), meanAbsResidualDb: z.number(), predicted: z.boolean().optional() })),
  tonalBands: z.object({ centresHz: z.array(z.number()), referenceDbReLufs: z.array(measured), beforeDbReLufs: z.array(measured), afterDbReLufs: z.array(measured) }),
});
export type MasteringReport = z.infer<typeof masteringReportSchema>;

export const nullIfNonFinite = (v: number | null | undefined): number | null => (v !== null && v !== undefined && Number.isFinite(v) ? v : null);
const fmt = (v: number | null, digits = 1) => (v === null ? 'n/a' : v.toFixed(digits));

export interface ReportInputs {
  settings: MasteringSettings;
  before: MasterState;
  after: MasterState;
  reference: MasteringReport['reference'];
  eqCurves: { applied: boolean; frequenciesHz: number[]; midDb: number[]; sideDb: number[] };
  compressor: GainReductionStats[];
  limiter: GainReductionStats | null;
  closedLoop: MasteringReport['closedLoop'];
  tonalBands: MasteringReport['tonalBands'];
  reasons: string[];
  extraWarnings: string[];
}

/** A band counts as empty in the mix this far under the mix's strongest band (where derive stops boosting). */
const EMPTY_BELOW_PEAK_DB = 45;
/** ...and as one where the reference is strong when the reference is this much above the mix there (both re LUFS). */
const REFERENCE_STRONGER_DB = 12;

/**
 * Third-octave bands where the reference is strong and the mix has next to nothing. The EQ leaves them alone (a boost
 * would only raise noise, it cannot bring back a missing instrument), so the tonal match stays short there: the
 * engineer should hear about it as a warning, not only read it among the reasons.
 */
export function missingContentWarning(bands: MasteringReport['tonalBands']): string | null {
  const { centresHz, referenceDbReLufs, beforeDbReLufs } = bands;
  let mixPeak = -Infinity;
  for (const v of beforeDbReLufs) if (v !== null && v > mixPeak) mixPeak = v;
  if (!Number.isFinite(mixPeak)) return null;
  const lacking: { hz: number; gap: number }[] = [];
  centresHz.forEach((hz, i) => {
    const ref = referenceDbReLufs[i];
    const mix = beforeDbReLufs[i] ?? -Infinity;
    if (ref === null || ref - mix <= REFERENCE_STRONGER_DB || mixPeak - mix <= EMPTY_BELOW_PEAK_DB) return;
    lacking.push({ hz, gap: ref - mix });
  });
  if (lacking.length === 0) return null;
  const hz = (f: number) => (f >= 1000 ? `${(f / 1000).toFixed(f >= 10000 ? 0 : 1)} kHz` : `${Math.round(f)} Hz`);
  const span = lacking.length === 1 ? `around ${hz(lacking[0].hz)}` : `from ${hz(lacking[0].hz)} to ${hz(lacking[lacking.length - 1].hz)}`;
  const gap = Math.max(...lacking.map((l) => l.gap));
  const shown = Number.isFinite(gap) ? ` (up to ${gap.toFixed(0)} dB under the reference)` : '';
  return `The mix has little content ${span} where the reference is strong${shown}: the EQ does not boost there, so the master stays thinner than the reference in that range.`;
}

export function buildReport(inputs: ReportInputs): MasteringReport {
  const { settings, before, after, reference } = inputs;
  const warnings = [...inputs.extraWarnings];
  const limiterMax = inputs.limiter?.maxDb ?? 0;
  if (limiterMax > 6) {
    warnings.push(`The loudness target needs up to ${limiterMax.toFixed(1)} dB of limiting (more than 6 dB): expect audible flattening of transients; consider a lower target.`);
  }
  const missing = missingContentWarning(inputs.tonalBands);
  if (missing) warnings.push(missing);
  const lufsErr = (after.loudness.integratedLufs ?? -Infinity) - settings.loudness.targetLufs;
  if (Math.abs(lufsErr) > 0.5) warnings.push(`Integrated loudness ended ${lufsErr.toFixed(2)} LU from the target.`);
  const summary: string[] = [];
  summary.push(
    `Loudness ${fmt(before.loudness.integratedLufs)} → ${fmt(after.loudness.integratedLufs)} LUFS (target ${settings.loudness.targetLufs.toFixed(1)}, ${settings.loudness.source}${settings.loudness.platform ? ` ${settings.loudness.platform}` : ''}); true peak ${fmt(before.loudness.truePeakDbtp)} → ${fmt(after.loudness.truePeakDbtp)} dBTP (ceiling ${settings.loudness.ceilingDbtp.toFixed(1)}).`,
  );
  summary.push(`Loudness range ${fmt(before.loudness.loudnessRangeLu)} → ${fmt(after.loudness.loudnessRangeLu)} LU (reference ${fmt(reference.loudnessRangeLu)}).`);
  if (before.tonalDistanceToBlendDb !== null) {
    summary.push(`Tonal distance to the reference ${fmt(before.tonalDistanceToBlendDb, 2)} → ${fmt(after.tonalDistanceToBlendDb, 2)} dB.`);
  }
  summary.push(`Side-to-mid ${fmt(before.sideToMidDb)} → ${fmt(after.sideToMidDb)} dB (reference ${fmt(reference.sideToMidDb)}).`);
  if (inputs.eqCurves.applied) {
    const bands = settings.eq.bands.mid.map((b) => `${b.type} ${Math.round(b.frequencyHz)} Hz ${b.gainDb > 0 ? '+' : ''}${b.gainDb.toFixed(1)} dB`).join(', ');
    summary.push(`EQ (${settings.eq.phase} phase, amount ${Math.round(settings.eq.amount * 100)} %): ${bands || 'fine corrections only'}.`);
  } else summary.push('No EQ.');
  if (inputs.compressor.length > 0) {
    const c = inputs.compressor[0];
    summary.push(`Compressor: ${settings.dynamics.compressor.ratio.toFixed(2)}:1 at ${settings.dynamics.compressor.thresholdDb.toFixed(1)} dB (amount ${Math.round(settings.dynamics.amount * 100)} %), gain reduction mean ${c.meanDb.toFixed(1)} dB, max ${c.maxDb.toFixed(1)} dB.`);
  }
  if (inputs.limiter) {
    summary.push(`Limiter: drive ${settings.loudness.limiterInputGainDb.toFixed(1)} dB, gain reduction mean ${inputs.limiter.meanDb.toFixed(1)} dB, max ${inputs.limiter.maxDb.toFixed(1)} dB, over 1 dB ${inputs.limiter.percentOver1Db.toFixed(0)} % of the time.`);
  }
  summary.push(...inputs.reasons);
  const report: MasteringReport = {
    version: 1,
    summary,
    warnings,
    before,
    after,
    reference,
    eq: { ...inputs.eqCurves, bands: settings.eq.bands },
    dynamics: { compressor: inputs.compressor, limiter: inputs.limiter, limiterDriveDb: settings.loudness.limiterInputGainDb },
    loudness: { targetLufs: settings.loudness.targetLufs, ceilingDbtp: settings.loudness.ceilingDbtp, outputGainDb: settings.loudness.outputGainDb },
    closedLoop: inputs.closedLoop,
    tonalBands: inputs.tonalBands,
  };
  return masteringReportSchema.parse(report);
}
