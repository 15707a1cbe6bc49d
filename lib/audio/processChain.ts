import { z } from 'zod';
import { compressorSettingsSchema, processCompressor, type CompressorStats } from './compressor';
import { eqSettingsSchema, processEq } from './equalizer';
import { gainSettingsSchema, processGain } from './gain';
import { limiterSettingsSchema, processLimiter, type LimiterStats } from './limiter';
import { processSaturation, saturationSettingsSchema } from './saturation';
import { processStereoWidth, stereoWidthSettingsSchema } from './stereoWidth';
import type { PcmAudio } from './types';
import { toPcmAudio, toWorkingAudio } from './workingAudio';

/**
 * The mastering render chain: an ordered list of stages run over the whole buffer in float64. Whole-buffer beats
 * blocks here: the limiter and the FIR stages are offline by design (lookahead and linear-phase latency cost
 * nothing), and one float64 copy of a 4-minute stereo track is ~170 MB. Each stage skips itself when neutral, so a
 * neutral chain returns the input bit for bit.
 */
export const chainStageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('eq'), settings: eqSettingsSchema }),
  z.object({ kind: z.literal('compressor'), settings: compressorSettingsSchema }),
  z.object({ kind: z.literal('stereoWidth'), settings: stereoWidthSettingsSchema }),
  z.object({ kind: z.literal('saturation'), settings: saturationSettingsSchema }),
  z.object({ kind: z.literal('limiter'), settings: limiterSettingsSchema }),
  z.object({ kind: z.literal('gain'), settings: gainSettingsSchema }),
]);
export type ChainStage = z.input<typeof chainStageSchema>;

export const chainSettingsSchema = z.object({ stages: z.array(chainStageSchema) });
export type ChainSettings = z.input<typeof chainSettingsSchema>;

export interface StageReport {
  kind: ChainStage['kind'];
  /** CPU-bound wall time of the stage. */
  seconds: number;
  compressor?: CompressorStats;
  limiter?: LimiterStats;
}

export interface ChainResult {
  audio: PcmAudio;
  stages: StageReport[];
}

export async function processChain(pcm: PcmAudio, settings: ChainSettings): Promise<ChainResult> {
  const { stages } = chainSettingsSchema.parse(settings);
  const work = toWorkingAudio(pcm);
  const reports: StageReport[] = [];
  for (const stage of stages) {
    const t0 = performance.now();
    const report: StageReport = { kind: stage.kind, seconds: 0 };
    switch (stage.kind) {
      case 'eq':
        await processEq(work, stage.settings);
        break;
      case 'compressor':
        report.compressor = processCompressor(work, stage.settings);
        break;
      case 'stereoWidth':
        await processStereoWidth(work, stage.settings);
        break;
      case 'saturation':
        processSaturation(work, stage.settings);
        break;
      case 'limiter':
        report.limiter = processLimiter(work, stage.settings);
        break;
      case 'gain':
        processGain(work, stage.settings);
        break;
    }
    report.seconds = (performance.now() - t0) / 1000;
    reports.push(report);
  }
  return { audio: toPcmAudio(work), stages: reports };
}
