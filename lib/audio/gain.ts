import { z } from 'zod';
import type { PcmAudio } from './types';
import { dbToGain, toPcmAudio, toWorkingAudio, type WorkingAudio } from './workingAudio';

export const gainSettingsSchema = z.object({
  gainDb: z.number().min(-120).max(48).default(0),
});
export type GainSettings = z.infer<typeof gainSettingsSchema>;

/** Multiplies every channel in place. A gain of 0 dB leaves the samples untouched (bit-identical). */
export function processGain(work: WorkingAudio, settings: GainSettings): void {
  if (settings.gainDb === 0) return;
  const g = dbToGain(settings.gainDb);
  for (const ch of work.channels) {
    for (let i = 0; i < ch.length; i++) ch[i] *= g;
  }
}

export function applyGain(pcm: PcmAudio, settings: GainSettings): PcmAudio {
  const work = toWorkingAudio(pcm);
  processGain(work, gainSettingsSchema.parse(settings));
  return toPcmAudio(work);
}
