/**
 * The loudness of a full render on both threads: this thread meters the first half, the chain worker the second (its
 * filters settled on the second before it, see subBlocksFrom), and the second half's sub-blocks continue this
 * thread's metering. A four-minute render's loudness took ~65 ms here with the worker idle (before each drive search,
 * and beside the worker's peaks when the render is measured).
 */
import { LoudnessMeter, measureLoudness, subBlocksFrom, type LoudnessResult } from '@/lib/audio/loudness';
import type { PcmAudio } from '@/lib/audio/types';
import { inSharedMemory } from '@/lib/audio/workingAudio';
import type { ChainWorker } from './chainWorkerClient';
import { MIN_SPLIT_SECONDS } from './splitRender';

const SETTLE_SECONDS = 1;

export async function measureLoudnessOn2(pcm: PcmAudio, worker: ChainWorker | null): Promise<LoudnessResult> {
  const n = pcm.channels[0]?.length ?? 0;
  if (!worker || !inSharedMemory(pcm.channels) || n < MIN_SPLIT_SECONDS * pcm.sampleRate) return measureLoudness(pcm);
  const meter = new LoudnessMeter(pcm.sampleRate, pcm.channels.length);
  const sub = meter.subBlockFrames;
  const mid = Math.floor(n / 2 / sub) * sub;
  const tail = worker.run<ReturnType<typeof subBlocksFrom>>({ kind: 'loudnessFrom', pcm, from: mid, settleFrames: Math.round(SETTLE_SECONDS * pcm.sampleRate) });
  tail.catch(() => undefined);
  meter.addFrames(pcm.channels, 0, mid);
  const { energies, frames } = await tail;
  meter.appendSubBlocks(energies, frames);
  return meter.result();
}
