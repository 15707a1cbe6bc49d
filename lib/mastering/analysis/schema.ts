/**
 * AnalysisResult as stored JSON. Non-finite numbers (silence: -Infinity LUFS/dBTP) are null in JSON, so every
 * measured figure is `number | null`; `toAnalysisJson` does that conversion and the schema validates the result.
 */
import { z } from 'zod';

const measured = z.number().nullable();

export const PROBLEM_KINDS = [
  'clipping',
  'dc-offset',
  'click',
  'silence-head',
  'silence-tail',
  'phase-inverted',
  'narrow-stereo',
  'wide-stereo',
  'inter-sample-over',
  'mono-compatibility',
] as const;

export const problemSchema = z.object({
  kind: z.enum(PROBLEM_KINDS),
  severity: z.enum(['info', 'warning', 'error']),
  timeSeconds: z.number().min(0),
  endSeconds: z.number().min(0).optional(),
  /** Channel index (0 = left) when the problem is in one channel only. */
  channel: z.number().int().min(0).optional(),
  message: z.string().min(1),
});

const bandSpectrumSchema = z.object({
  fraction: z.number().int().positive(),
  centresHz: z.array(z.number().positive()),
  /** Band power of mid and side in dB re full-scale mean square (a full-scale sine in mid reads -3 dB). */
  midDb: z.array(measured),
  sideDb: z.array(measured),
  correlation: z.array(z.number().min(-1).max(1)),
  sideToMidDb: z.array(measured),
});

export const analysisResultSchema = z.object({
  version: z.literal(1),
  sampleRate: z.number().int().positive(),
  channels: z.number().int().min(1).max(2),
  durationSeconds: z.number().min(0),
  format: z.object({
    container: z.string(),
    codec: z.string(),
    sampleRate: z.number().int().positive(),
    channelCount: z.number().int().positive(),
    bitsPerSample: z.number().int().positive().optional(),
    frames: z.number().int().min(0),
    durationSeconds: z.number().min(0),
  }),
  loudness: z.object({
    integratedLufs: measured,
    loudnessRangeLu: measured,
    momentaryMaxLufs: measured,
    shortTermMaxLufs: measured,
    truePeakDbtp: measured,
    samplePeakDbfs: measured,
    plrDb: measured,
  }),
  spectrum: z.object({
    weighting: z.enum(['none', 'loudness', 'loudest']),
    segmentSize: z.number().int().positive(),
    thirdOctave: bandSpectrumSchema,
    sixthOctave: bandSpectrumSchema,
    /** Input of tonalDistanceDb (lib/mastering/analysis/tonalDistance.ts). */
    tonal: z.object({ centresHz: z.array(z.number()), levelsDb: z.array(measured), integratedLufs: measured }),
  }),
  stereo: z.object({
    correlation: z.number().min(-1).max(1),
    sideToMidDb: measured,
    monoFoldDownDb: measured,
    /** Lowest 1 s window correlation (where the image is most out of phase). */
    minWindowCorrelation: z.number().min(-1).max(1),
    monoCompatible: z.boolean(),
  }),
  dynamics: z.object({
    crestFactorDb: measured,
    rmsDbfs: measured,
    plrDb: measured,
    shortTermPercentilesLufs: z.object({ p10: measured, p50: measured, p90: measured, p95: measured }),
    onsetsPerSecond: z.number().min(0),
    dynamicComplexity: measured,
    headSilenceSeconds: z.number().min(0),
    tailSilenceSeconds: z.number().min(0),
  }),
  descriptors: z.object({
    key: z.string().nullable(),
    scale: z.enum(['major', 'minor']).nullable(),
    keyStrength: measured,
    tempoBpm: measured,
    dynamicComplexity: measured,
    spectralCentroidHz: measured,
    spectralFlatness: measured,
    spectralRolloffHz: measured,
  }),
  problems: z.array(problemSchema),
  shortTermCurve: z.object({ hopSeconds: z.number().positive(), lufs: z.array(measured) }),
});

export type AnalysisResult = z.infer<typeof analysisResultSchema>;
export type Problem = z.infer<typeof problemSchema>;
export type ProblemKind = (typeof PROBLEM_KINDS)[number];

/** JSON-safe copy: non-finite numbers become null (what JSON.stringify would do, but typed and explicit). */
export function finiteOrNull(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
