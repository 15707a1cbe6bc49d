/**
 * Mastering settings: plain JSON, versioned, the single source of truth for a render. `derive` writes one, an engineer
 * may edit it, `renderMaster` executes it as-is.
 *
 * EQ rule (`eq.mode`):
 * - 'curve' (what derive writes): the render uses the fine curve (dB at `eq.curve.frequenciesHz`, 1/12-octave grid)
 *   as a FIR. The parametric bands are a readable approximation of that curve, shown for information.
 * - 'bands': the render regenerates the curve from the bands (sum of their dB responses at the same frequencies) and
 *   ignores the stored fine curve; with no side bands the side follows the mid. An editor that changes a band
 *   switches the mode to 'bands'.
 * Amounts scale at render time: the stored curve, ratio and width are the 100 % values, so moving an amount never
 * needs a new analysis.
 *
 * Stereo is rendered as a side-only curve inside the same mid/side FIR pass as the EQ (the compressor after it is
 * stereo-linked, so its gain is the same for mid and side and the order changes nothing but its detector input).
 */
import { z } from 'zod';
import { compressorBandSchema } from '@/lib/audio/compressor';
import { trackMetadataSchema } from '@/lib/audio/metadata';

export const SETTINGS_VERSION = 1;

export const PLATFORM_TARGETS_LUFS = { spotify: -14, apple: -16, youtube: -14, tidal: -14, amazon: -14, club: -8 } as const;
export type Platform = keyof typeof PLATFORM_TARGETS_LUFS;
export const platformSchema = z.enum(['spotify', 'apple', 'youtube', 'tidal', 'amazon', 'club']);

export const OUTPUT_FORMATS = ['wav24', 'wav16', 'flac24', 'flac16', 'mp3-320', 'mp3-v0'] as const;
export const outputFormatSchema = z.enum(OUTPUT_FORMATS);
export type OutputFormat = z.infer<typeof outputFormatSchema>;
export const OUTPUT_SAMPLE_RATES = [44100, 48000, 88200, 96000] as const;

/** What a derivation delivers unless another format is asked for. */
export const DEFAULT_OUTPUT_FORMAT: OutputFormat = 'wav24';

/**
 * The rate a render of these output settings delivers at: the one asked for, else defaultDeliveryRate for the format
 * (DEFAULT_OUTPUT_FORMAT where none is given yet, as for a derivation's options).
 */
export function deliveryRate(output: { format?: OutputFormat; sampleRate?: number | null }, mixRate: number): number {
  return output.sampleRate ?? defaultDeliveryRate(output.format ?? DEFAULT_OUTPUT_FORMAT, mixRate);
}

/**
 * The delivery rate when none was asked for: the mix's own rate when it is a delivery rate the format can carry,
 * else the highest delivery rate of the same family (44.1 kHz multiples, else 48 kHz ones) not above the mix's rate
 * (at least 44.1/48 kHz), and at most 48 kHz for MP3. A 192 kHz mix delivers at 96 kHz, a 22.05 kHz one at 44.1 kHz.
 */
export function defaultDeliveryRate(format: OutputFormat, mixRate: number): (typeof OUTPUT_SAMPLE_RATES)[number] {
  const cap = format.startsWith('mp3') ? 48000 : 96000;
  if ((OUTPUT_SAMPLE_RATES as readonly number[]).includes(mixRate) && mixRate <= cap) return mixRate as (typeof OUTPUT_SAMPLE_RATES)[number];
  const family = mixRate % 11025 === 0 ? ([44100, 88200] as const) : ([48000, 96000] as const);
  let best: (typeof OUTPUT_SAMPLE_RATES)[number] = family[0];
  for (const rate of family) if (rate <= Math.min(cap, Math.max(mixRate, family[0]))) best = rate;
  return best;
}

const amount = z.number().min(0).max(1);
const db = (limit: number) => z.number().finite().min(-limit).max(limit);

export const eqBandSchema = z.object({
  type: z.enum(['lowShelf', 'highShelf', 'peak']),
  frequencyHz: z.number().min(10).max(24000),
  gainDb: db(24),
  q: z.number().min(0.1).max(10),
});
export type EqBand = z.infer<typeof eqBandSchema>;

export const eqSettingsSchema = z
  .object({
    enabled: z.boolean(),
    mode: z.enum(['curve', 'bands']),
    phase: z.enum(['linear', 'minimum']),
    amount,
    curve: z.object({
      frequenciesHz: z.array(z.number().positive().max(48000)).min(2).max(1024),
      /** Mid gain in dB at each frequency. */
      midDb: z.array(db(36)),
      /** Side gain in dB at each frequency (tonal part; stereo width is added on top, see stereo). */
      sideDb: z.array(db(36)),
    }),
    bands: z.object({ mid: z.array(eqBandSchema).max(16), side: z.array(eqBandSchema).max(16) }),
  })
  .superRefine((eq, ctx) => {
    const { frequenciesHz, midDb, sideDb } = eq.curve;
    if (midDb.length !== frequenciesHz.length || sideDb.length !== frequenciesHz.length) {
      ctx.addIssue({ code: 'custom', message: 'eq.curve: midDb and sideDb need one value per frequency', path: ['curve'] });
    }
    for (let i = 1; i < frequenciesHz.length; i++) {
      if (!(frequenciesHz[i] > frequenciesHz[i - 1])) {
        ctx.addIssue({ code: 'custom', message: 'eq.curve.frequenciesHz must be strictly increasing', path: ['curve', 'frequenciesHz'] });
        break;
      }
    }
  });
export type EqSettings = z.infer<typeof eqSettingsSchema>;

export const dynamicsSettingsSchema = z.object({
  enabled: z.boolean(),
  amount,
  detector: z.enum(['rms', 'peak']),
  rmsWindowMs: z.number().min(0.1).max(300),
  /** Broadband compressor (ratio etc. at 100 %; amount scales ratio - 1 and makeup). */
  compressor: compressorBandSchema.required(),
  /** Optional 3-band: crossovers and one band setting each (replaces the broadband one). */
  multiband: z
    .object({ crossoverHz: z.array(z.number().min(20).max(20000)).min(1).max(3), bands: z.array(compressorBandSchema.required()).min(2).max(4) })
    .refine((m) => m.bands.length === m.crossoverHz.length + 1, 'multiband needs one more band than crossovers')
    .nullable(),
});
export type DynamicsSettings = z.infer<typeof dynamicsSettingsSchema>;

export const stereoSettingsSchema = z.object({
  enabled: z.boolean(),
  amount,
  /** Side-level change per band (dB at 100 %), band edges in Hz: bands[i] spans edgesHz[i]..edgesHz[i+1]. */
  edgesHz: z.array(z.number().positive()).min(2).max(33),
  sideGainDb: z.array(db(24)),
  /** Side removed below this frequency (mono bass); null = off. */
  monoBelowHz: z.number().min(20).max(500).nullable(),
}).refine((s) => s.sideGainDb.length === s.edgesHz.length - 1, 'stereo.sideGainDb needs one value per band (edgesHz.length - 1)');
export type StereoSettings = z.infer<typeof stereoSettingsSchema>;

export const saturationSettingsSchema = z.object({
  enabled: z.boolean(),
  /** Drive into the soft clipper; the output is level-compensated. */
  driveDb: z.number().min(0).max(24),
  /** Dry/wet mix 0..1. */
  mix: amount,
});
export type SaturationSettings = z.infer<typeof saturationSettingsSchema>;

export const loudnessSettingsSchema = z.object({
  /**
   * 'target': the render finds the limiter drive and the final gain that meet targetLufs under ceilingDbtp (the stored
   * values are its starting point and are replaced by what it found), so an edited EQ or compressor still lands on
   * the target. 'manual': limiterInputGainDb and outputGainDb are rendered exactly as stored.
   */
  mode: z.enum(['target', 'manual']).default('target'),
  /** Where the target came from (for the report); the render only uses the numbers. */
  source: z.enum(['reference', 'platform', 'custom']),
  platform: platformSchema.nullable(),
  targetLufs: z.number().min(-40).max(0),
  ceilingDbtp: z.number().min(-12).max(0),
  /** Drive into the true-peak limiter (the loudness push). */
  limiterInputGainDb: z.number().min(-24).max(36),
  limiterReleaseMs: z.number().min(1).max(2000),
  /** Hold and slow (program) release of the limiter: shorter = louder but less transparent. */
  limiterHoldMs: z.number().min(0).max(200),
  limiterSlowReleaseMs: z.number().min(10).max(10000),
  /** Gain after the limiter: the loudness trim. Positive only within the true-peak headroom the limiter left. */
  outputGainDb: z.number().min(-40).max(6),
});
export type LoudnessSettings = z.infer<typeof loudnessSettingsSchema>;

export const outputSettingsSchema = z
  .object({
    format: outputFormatSchema,
    /** null = keep the mix's rate. */
    sampleRate: z.union([z.literal(44100), z.literal(48000), z.literal(88200), z.literal(96000)]).nullable(),
    dither: z.enum(['tpdf', 'none']),
    noiseShaping: z.enum(['none', 'lipshitz', 'f-weighted']),
    metadata: trackMetadataSchema.omit({ loudness: true }),
  })
  .refine((o) => !o.format.startsWith('mp3') || o.sampleRate === null || o.sampleRate <= 48000, 'MP3 exists only at 44.1 or 48 kHz');
export type OutputSettings = z.infer<typeof outputSettingsSchema>;

export const masteringSettingsSchema = z.object({
  version: z.literal(SETTINGS_VERSION),
  eq: eqSettingsSchema,
  dynamics: dynamicsSettingsSchema,
  stereo: stereoSettingsSchema,
  saturation: saturationSettingsSchema,
  loudness: loudnessSettingsSchema,
  output: outputSettingsSchema,
});
export type MasteringSettings = z.infer<typeof masteringSettingsSchema>;

export class SettingsError extends Error {
  override name = 'SettingsError';
}

/** Validates settings from JSON (file, API). Throws SettingsError naming the first problems in one line. */
export function parseSettings(json: unknown): MasteringSettings {
  const result = masteringSettingsSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new SettingsError(`invalid settings: ${issues.join('; ')}`);
  }
  // A misspelt key ("treshold") would otherwise be dropped and the engineer's edit silently ignored.
  const unknown = unknownKeys(json, result.data, '');
  if (unknown.length > 0) throw new SettingsError(`invalid settings: unknown ${unknown.length === 1 ? 'key' : 'keys'} ${unknown.slice(0, 3).join(', ')}`);
  return result.data;
}

/** Paths of object keys in `input` that the parsed settings do not have. */
function unknownKeys(input: unknown, parsed: unknown, path: string): string[] {
  if (typeof input !== 'object' || input === null || typeof parsed !== 'object' || parsed === null) return [];
  if (Array.isArray(input)) return Array.isArray(parsed) ? input.flatMap((v, i) => unknownKeys(v, parsed[i], `${path}[${i}]`)) : [];
  const out: string[] = [];
  for (const [key, value] of Object.entries(input)) {
    const at = path ? `${path}.${key}` : key;
    if (!(key in parsed)) out.push(at);
    else out.push(...unknownKeys(value, (parsed as Record<string, unknown>)[key], at));
  }
  return out;
}

/** The fixed 1/12-octave grid of the fine curve, 20 Hz .. 20 kHz. */
export function curveFrequenciesHz(): number[] {
  const out: number[] = [];
  for (let k = -120; k <= 120; k++) {
    const f = 1000 * 2 ** (k / 12);
    if (f >= 19.9 && f <= 20200) out.push(Math.round(f * 100) / 100);
  }
  return out;
}

/** Settings that leave the audio untouched except for the limiter/gain (which a loudness target still needs). */
export function neutralSettings(overrides: { targetLufs?: number; ceilingDbtp?: number } = {}): MasteringSettings {
  const frequenciesHz = curveFrequenciesHz();
  const zeros = frequenciesHz.map(() => 0);
  return {
    version: SETTINGS_VERSION,
    eq: { enabled: false, mode: 'curve', phase: 'linear', amount: 1, curve: { frequenciesHz, midDb: zeros, sideDb: [...zeros] }, bands: { mid: [], side: [] } },
    dynamics: {
      enabled: false,
      amount: 1,
      detector: 'rms',
      rmsWindowMs: 30,
      compressor: { thresholdDb: -18, ratio: 1, attackMs: 30, releaseMs: 300, kneeDb: 6, makeupDb: 0 },
      multiband: null,
    },
    stereo: { enabled: false, amount: 1, edgesHz: [20, 20000], sideGainDb: [0], monoBelowHz: null },
    saturation: { enabled: false, driveDb: 0, mix: 1 },
    loudness: {
      mode: 'target',
      source: 'custom',
      platform: null,
      targetLufs: overrides.targetLufs ?? -14,
      ceilingDbtp: overrides.ceilingDbtp ?? -1,
      limiterInputGainDb: 0,
      limiterReleaseMs: 60,
      limiterHoldMs: 35,
      limiterSlowReleaseMs: 900,
      outputGainDb: 0,
    },
    output: { format: DEFAULT_OUTPUT_FORMAT, sampleRate: null, dither: 'tpdf', noiseShaping: 'none', metadata: {} },
  };
}
