import { z } from 'zod';
import { biquadSettingsSchema, designBiquad, processCascade } from './biquad';
import { convolveChannels } from './convolver';
import { defaultFirTaps, designLinearPhaseFir, designMinimumPhaseFir, magnitudeCurveSchema } from './firDesign';
import type { PcmAudio } from './types';
import { toPcmAudio, toWorkingAudio, type WorkingAudio } from './workingAudio';

/**
 * The chain's EQ stage: an optional matching curve (FIR, linear or minimum phase) followed by optional parametric
 * biquads. A curve that is flat everywhere and no bands is skipped, so a neutral EQ is bit-transparent.
 */
export const eqSettingsSchema = z.object({
  enabled: z.boolean().default(true),
  curve: magnitudeCurveSchema.optional(),
  phase: z.enum(['linear', 'minimum']).default('linear'),
  /** FIR length; defaults to 4097 at 44.1 kHz, scaled with the rate. */
  taps: z.number().int().min(31).max(65537).optional(),
  bands: z.array(biquadSettingsSchema).default([]),
});
export type EqSettings = z.infer<typeof eqSettingsSchema>;
export type EqSettingsInput = z.input<typeof eqSettingsSchema>;

export async function processEq(work: WorkingAudio, settingsInput: EqSettingsInput): Promise<void> {
  const s = eqSettingsSchema.parse(settingsInput);
  if (!s.enabled) return;
  const { sampleRate } = work;
  if (s.curve && s.curve.gainsDb.some((g) => g !== 0)) {
    let taps = s.taps ?? defaultFirTaps(sampleRate);
    if (s.phase === 'linear' && taps % 2 === 0) taps++;
    const fir = s.phase === 'linear' ? designLinearPhaseFir(s.curve, sampleRate, taps) : designMinimumPhaseFir(s.curve, sampleRate, taps);
    await convolveChannels(work.channels, fir, s.phase === 'linear' ? (taps - 1) / 2 : 0);
  }
  const sections = s.bands.filter((b) => b.gainDb !== 0 || b.type === 'highPass' || b.type === 'lowPass').map((b) => designBiquad(b, sampleRate));
  if (sections.length) for (const ch of work.channels) processCascade(sections, ch);
}

export async function applyEq(pcm: PcmAudio, settings: EqSettingsInput): Promise<PcmAudio> {
  const work = toWorkingAudio(pcm);
  await processEq(work, settings);
  return toPcmAudio(work);
}
