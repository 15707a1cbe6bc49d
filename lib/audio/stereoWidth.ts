import { z } from 'zod';
import { convolveChannels } from './convolver';
import { crossoverBandResponses, designCrossover, splitBands } from './crossover';
import { designLinearPhaseFir, defaultFirTaps } from './firDesign';
import type { PcmAudio } from './types';
import { toPcmAudio, toWorkingAudio, type WorkingAudio } from './workingAudio';

/**
 * Mid/side width per band. Only the side signal is filtered, by a linear-phase FIR whose magnitude is the per-band
 * side gains blended with Linkwitz-Riley band weights (plus, optionally, a steep cut below monoBelowHz). Linear phase
 * with compensated latency keeps side exactly time-aligned with the untouched mid, so changing width never smears
 * the image the way an allpass-shifted side band would.
 */
export const stereoWidthSettingsSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** 1-3 split points: 2-4 bands. */
    crossoverHz: z.array(z.number().positive()).min(1).max(3).default([250, 2500]),
    /** Side gain per band in dB (positive = wider), lowest band first. */
    sideGainsDb: z.array(z.number().min(-60).max(12)).default([0, 0, 0]),
    /** Below this frequency the side signal is removed (mono bass). Off when absent. */
    monoBelowHz: z.number().min(20).max(500).optional(),
  })
  .refine((s) => s.sideGainsDb.length === s.crossoverHz.length + 1, 'one side gain per band');
export type StereoWidthSettings = z.infer<typeof stereoWidthSettingsSchema>;
export type StereoWidthSettingsInput = z.input<typeof stereoWidthSettingsSchema>;

export function isStereoWidthNeutral(s: StereoWidthSettings): boolean {
  return !s.enabled || (s.sideGainsDb.every((g) => g === 0) && s.monoBelowHz === undefined);
}

/** The side-channel gain curve (dB) at the given frequencies, for drawing and for the FIR design. */
export function sideGainCurveDb(s: StereoWidthSettings, sampleRate: number, frequenciesHz: number[]): number[] {
  const design = designCrossover(s.crossoverHz, sampleRate);
  const gains = s.sideGainsDb.map((g) => Math.pow(10, g / 20));
  const mono = s.monoBelowHz !== undefined ? designCrossover([s.monoBelowHz], sampleRate) : undefined;
  return frequenciesHz.map((f) => {
    const w = crossoverBandResponses(design, f).map(([re, im]) => Math.hypot(re, im));
    const sumW = w.reduce((a, b) => a + b, 0);
    let g = w.reduce((a, wk, k) => a + wk * gains[k], 0) / sumW;
    if (mono) {
      const [, hp] = crossoverBandResponses(mono, f);
      const h = Math.hypot(hp[0], hp[1]);
      g *= h * h; // LR8-like slope: mono means mono
    }
    return 20 * Math.log10(Math.max(g, 1e-6));
  });
}

export async function processStereoWidth(work: WorkingAudio, settingsInput: StereoWidthSettingsInput): Promise<void> {
  const s = stereoWidthSettingsSchema.parse(settingsInput);
  if (isStereoWidthNeutral(s) || work.channels.length !== 2) return;
  const [l, r] = work.channels;
  const n = l.length;
  const side = new Float64Array(n);
  for (let i = 0; i < n; i++) side[i] = 0.5 * (l[i] - r[i]);
  const freqs: number[] = [];
  for (let f = 10; f < work.sampleRate / 2; f *= 1.02) freqs.push(f);
  const curve = { frequenciesHz: freqs, gainsDb: sideGainCurveDb(s, work.sampleRate, freqs) };
  const taps = defaultFirTaps(work.sampleRate);
  await convolveChannels([side], designLinearPhaseFir(curve, work.sampleRate, taps), (taps - 1) / 2);
  for (let i = 0; i < n; i++) {
    const m = 0.5 * (l[i] + r[i]);
    l[i] = m + side[i];
    r[i] = m - side[i];
  }
}

/**
 * Side-to-mid energy ratio per band in dB (for deriving sideGainsDb from a reference: gain = target - current).
 * -Infinity for a band with no side energy.
 */
export function measureBandSideToMidDb(work: WorkingAudio, crossoverHz: number[]): number[] {
  if (work.channels.length !== 2) return crossoverHz.concat(0).map(() => -Infinity);
  const [l, r] = work.channels;
  const n = l.length;
  const mid = new Float64Array(n);
  const side = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    mid[i] = 0.5 * (l[i] + r[i]);
    side[i] = 0.5 * (l[i] - r[i]);
  }
  const design = designCrossover(crossoverHz, work.sampleRate);
  const mb = splitBands(mid, design);
  const sb = splitBands(side, design);
  const energy = (x: Float64Array) => x.reduce((a, v) => a + v * v, 0);
  return mb.map((m, k) => 10 * Math.log10(energy(sb[k]) / Math.max(energy(m), 1e-30)));
}

export async function applyStereoWidth(pcm: PcmAudio, settings: StereoWidthSettingsInput): Promise<PcmAudio> {
  const work = toWorkingAudio(pcm);
  await processStereoWidth(work, settings);
  return toPcmAudio(work);
}
