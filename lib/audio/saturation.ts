import { z } from 'zod';
import { processOversampledX4 } from './oversampler';
import { SATURATION_KERNEL_BLOCK, saturationKernel } from './simd/saturationKernel';
import type { PcmAudio } from './types';
import { dbToGain, toPcmAudio, toWorkingAudio, type WorkingAudio } from './workingAudio';

/**
 * Soft saturation, run at 4x the sample rate so the harmonics it creates above the original Nyquist are filtered out
 * instead of folding back as inharmonic aliases. The curve is a rational tanh approximation that reaches ±1 with zero
 * slope at ±3 (smooth, odd-order harmonics only). Output is divided by the drive, so small signals pass at unity
 * and the drive only decides how hard peaks are rounded. Dry and wet are mixed at the high rate, so both share the
 * oversampler's phase response and mixing never combs.
 */

export const saturationSettingsSchema = z.object({
  enabled: z.boolean().default(false),
  driveDb: z.number().min(0).max(36).default(0),
  /** 0 = dry only, 1 = wet only. */
  mix: z.number().min(0).max(1).default(1),
});
export type SaturationSettings = z.infer<typeof saturationSettingsSchema>;
export type SaturationSettingsInput = z.input<typeof saturationSettingsSchema>;

export function softClip(x: number): number {
  if (x >= 3) return 1;
  if (x <= -3) return -1;
  const x2 = x * x;
  return (x * (27 + x2)) / (27 + 9 * x2);
}

const BLOCK = 8192;

export function isSaturationNeutral(s: SaturationSettings): boolean {
  return !s.enabled || s.mix === 0;
}

/** Applies saturation in place. Neutral settings leave the samples untouched (the oversampler is skipped). */
export function processSaturation(work: WorkingAudio, settingsInput: SaturationSettingsInput): void {
  const s = saturationSettingsSchema.parse(settingsInput);
  if (isSaturationNeutral(s)) return;
  const drive = dbToGain(s.driveDb);
  const inv = 1 / drive;
  const wet = s.mix;
  const dry = 1 - s.mix;
  const simd = saturationKernel();
  if (simd) {
    // Channels in pairs, one per lane (a lane's filters never see the other's samples, so pairing changes nothing).
    const frames = simd.frames;
    for (let c = 0; c < work.channels.length; c += 2) {
      const left = work.channels[c];
      const right = c + 1 < work.channels.length ? work.channels[c + 1] : null;
      simd.reset();
      for (let start = 0; start < left.length; start += SATURATION_KERNEL_BLOCK) {
        const count = Math.min(SATURATION_KERNEL_BLOCK, left.length - start);
        for (let i = 0; i < count; i++) {
          frames[2 * i] = left[start + i];
          frames[2 * i + 1] = right ? right[start + i] : 0;
        }
        simd.process(count, drive, dry, wet * inv);
        for (let i = 0; i < count; i++) left[start + i] = frames[2 * i];
        if (right) for (let i = 0; i < count; i++) right[start + i] = frames[2 * i + 1];
      }
    }
    return;
  }
  processOversampledX4(work.channels, BLOCK, (b, count) => {
    for (let i = 0; i < count; i++) {
      const x = b[i];
      let d = x * drive;
      if (d >= 3) d = 1;
      else if (d <= -3) d = -1;
      else {
        const d2 = d * d;
        d = (d * (27 + d2)) / (27 + 9 * d2);
      }
      b[i] = dry * x + wet * inv * d;
    }
  });
}

export function applySaturation(pcm: PcmAudio, settings: SaturationSettingsInput): PcmAudio {
  const work = toWorkingAudio(pcm);
  processSaturation(work, settings);
  return toPcmAudio(work);
}
