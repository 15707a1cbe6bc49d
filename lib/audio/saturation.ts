import { z } from 'zod';
import { processOversampledX4 } from './oversampler';
import { saturationKernel, type SaturationKernel } from './simd/saturationKernel';
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

export interface SaturationOptions {
  /** The scalar oversampler and clipper even where the WebAssembly kernel runs (the same results; tests compare them). */
  scalar?: boolean;
}

/** Applies saturation in place. Neutral settings leave the samples untouched (the oversampler is skipped). */
export function processSaturation(work: WorkingAudio, settingsInput: SaturationSettingsInput, options: SaturationOptions = {}): void {
  const s = saturationSettingsSchema.parse(settingsInput);
  if (isSaturationNeutral(s)) return;
  const drive = dbToGain(s.driveDb);
  const inv = 1 / drive;
  const wet = s.mix;
  const dry = 1 - s.mix;
  const simd = options.scalar ? null : saturationKernel();
  if (simd) {
    saturateWithKernel(simd, work.channels, drive, dry, wet * inv);
    return;
  }
  processOversampledX4(work.channels, BLOCK, (b, count) => {
    for (let i = 0; i < count; i++) {
      const x = b[i];
      b[i] = dry * x + wet * inv * softClip(x * drive);
    }
  });
}

/**
 * Channels in pairs, one per lane of the kernel (a lane's filters never see the other's samples, so pairing changes
 * nothing). Copying in and out are functions of their own: as loops of this function, each was compiled on stack
 * replacement in the first pass before the code after it had run, and deoptimised there.
 */
function saturateWithKernel(simd: SaturationKernel, channels: Float64Array[], drive: number, dry: number, wetOverDrive: number): void {
  const { frames, block } = simd;
  for (let c = 0; c < channels.length; c += 2) {
    const left = channels[c];
    const right = c + 1 < channels.length ? channels[c + 1] : null;
    simd.reset();
    for (let start = 0; start < left.length; start += block) {
      const count = Math.min(block, left.length - start);
      if (right) interleavePair(left, right, start, count, frames);
      else interleaveAlone(left, start, count, frames);
      simd.process(count, drive, dry, wetOverDrive);
      deinterleaveLane(frames, 0, left, start, count);
      if (right) deinterleaveLane(frames, 1, right, start, count);
    }
  }
}

function interleavePair(left: Float64Array, right: Float64Array, start: number, count: number, frames: Float64Array): void {
  for (let i = 0; i < count; i++) {
    frames[2 * i] = left[start + i];
    frames[2 * i + 1] = right[start + i];
  }
}

function interleaveAlone(left: Float64Array, start: number, count: number, frames: Float64Array): void {
  for (let i = 0; i < count; i++) {
    frames[2 * i] = left[start + i];
    frames[2 * i + 1] = 0;
  }
}

function deinterleaveLane(frames: Float64Array, lane: number, out: Float64Array, start: number, count: number): void {
  for (let i = 0; i < count; i++) out[start + i] = frames[2 * i + lane];
}

export function applySaturation(pcm: PcmAudio, settings: SaturationSettingsInput): PcmAudio {
  const work = toWorkingAudio(pcm);
  processSaturation(work, settings);
  return toPcmAudio(work);
}
