/**
 * Worker-thread entry for the second core: the match analysis of a track; the render stages of one time segment
 * (see splitRender.ts), rendered in place in shared memory; measurements of a shared render (its long-term
 * spectrum, its peaks and stereo image) while the main thread measures something else; and one channel of a WAV.
 * Errors travel as {name, message}.
 */
import { parentPort } from 'node:worker_threads';
import { Quantizer, type OutputBitDepth, type QuantizeOptions } from '@/lib/audio/dither';
import { writeWavChannel } from '@/lib/audio/encode/wav';
import { processLimiter, type LimiterSettingsInput } from '@/lib/audio/limiter';
import { subBlocksFrom } from '@/lib/audio/loudness';
import { touchedSharedBuffers } from '@/lib/audio/touchedMemory';
import type { PcmAudio } from '@/lib/audio/types';
import { narrowChannelInPlace, type WorkingAudio } from '@/lib/audio/workingAudio';
import { longTermSpectrum } from '../analysis/longTermSpectrum';
import type { BandSet } from '../analysis/bands';
import { segmentBandsAt } from '../analysis/segmentBands';
import { collectGarbage } from '../collectGarbage';
import { analyzeFileForMatch } from '../match/matchFile';
import { analyzeForMatch, type MatchAnalysisOptions } from '../match/matchAnalysis';
import type { MasteringSettings } from '../settings';
import type { MidSideFir } from './midSideFir';
import { measureOutputLevels } from './outputLevels';
import { designChainFir, renderPreLimiter, type PreLimiterStages } from './render';

export type ChainTask =
  | { kind: 'analyze'; pcm: PcmAudio; options: MatchAnalysisOptions }
  /** Decode a file and analyse it here: its samples never reach the main thread (a reference is only analysed). */
  | { kind: 'analyzeFile'; path: string; options: MatchAnalysisOptions }
  | { kind: 'pre'; work: WorkingAudio; settings: MasteringSettings; fir: MidSideFir | null; stages?: PreLimiterStages }
  | { kind: 'limit'; work: WorkingAudio; limiter: LimiterSettingsInput }
  /** Peaks and stereo image of audio in shared memory (read in place while the main thread measures loudness and spectrum). */
  | { kind: 'outputLevels'; pcm: PcmAudio }
  /** Long-term spectrum of audio in shared memory (the render before its limiter, while the main thread measures the probe). */
  | { kind: 'spectrum'; pcm: PcmAudio }
  /** Band powers of segments of audio in shared memory (half of a probe's, while the main thread measures the rest). */
  | { kind: 'segmentBands'; work: WorkingAudio; starts: number[]; bands: BandSet; segmentFrames: number }
  /** One channel of a WAV laid out in shared memory (encodeMaster.ts), while the main thread writes the other. */
  | { kind: 'wavChannel'; blocks: Uint8Array[]; bitDepth: OutputBitDepth; channelCount: number; channel: number; samples: Float32Array; quantize: QuantizeOptions }
  /** A channel of the final render to float32 in place, times the output gain (workingAudio.ts narrowInPlace). */
  | { kind: 'narrow'; wide: Float64Array; gain: number }
  /** Loudness sub-blocks of a render's second half (splitLoudness.ts), while the main thread meters the first. */
  | { kind: 'loudnessFrom'; pcm: PcmAudio; from: number; settleFrames: number }
  /** The chain's FIR for these settings (render.ts designChainFir), while the main thread goes on. */
  | { kind: 'designFir'; settings: MasteringSettings; sampleRate: number }
  /** Shared buffers of these sizes, their pages touched here (touchedMemory.ts), for the main thread to fill. */
  | { kind: 'touchedBuffers'; byteLengths: number[] }
  | { kind: 'ping' }
  /** A full collection now: frees shared buffers this thread was handed (the memory is freed once no thread holds it). */
  | { kind: 'collectGarbage' };

export type ChainReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; name: string; message: string };

const port = parentPort;
if (!port) throw new Error('chainWorker must run in a worker thread');

port.on('message', async ({ id, task }: { id: number; task: ChainTask }) => {
  try {
    switch (task.kind) {
      case 'ping':
        port.postMessage({ id, ok: true, result: null });
        return;
      case 'loudnessFrom':
        port.postMessage({ id, ok: true, result: subBlocksFrom(task.pcm, task.from, task.settleFrames) });
        return;
      case 'designFir':
        port.postMessage({ id, ok: true, result: await designChainFir(task.settings, task.sampleRate) });
        return;
      case 'touchedBuffers':
        port.postMessage({ id, ok: true, result: touchedSharedBuffers(task.byteLengths) });
        return;
      case 'collectGarbage':
        collectGarbage();
        port.postMessage({ id, ok: true, result: null });
        return;
      case 'analyze': {
        const result = await analyzeForMatch(task.pcm, task.options);
        port.postMessage({ id, ok: true, result });
        return;
      }
      case 'analyzeFile': {
        // Measured as it is read: a reference's samples are never needed whole.
        const result = await analyzeFileForMatch(task.path, task.options);
        port.postMessage({ id, ok: true, result });
        // The same thread renders next (masterFiles.ts): what reading the reference touched is freed before that.
        collectGarbage();
        return;
      }
      case 'pre': {
        const stats = await renderPreLimiter(task.work, task.settings, task.fir, task.stages);
        port.postMessage({ id, ok: true, result: stats });
        return;
      }
      case 'wavChannel': {
        writeWavChannel(task, new Quantizer(task.bitDepth, task.channelCount, task.quantize), task.channel, task.samples);
        port.postMessage({ id, ok: true, result: null });
        return;
      }
      case 'narrow': {
        narrowChannelInPlace(task.wide, task.gain);
        port.postMessage({ id, ok: true, result: null });
        return;
      }
      case 'spectrum': {
        port.postMessage({ id, ok: true, result: await longTermSpectrum(task.pcm) });
        return;
      }
      case 'segmentBands': {
        port.postMessage({ id, ok: true, result: await segmentBandsAt(task.work, task.starts, task.bands, task.segmentFrames) });
        return;
      }
      case 'outputLevels': {
        port.postMessage({ id, ok: true, result: measureOutputLevels(task.pcm) });
        return;
      }
      case 'limit': {
        port.postMessage({ id, ok: true, result: processLimiter(task.work, task.limiter) });
        return;
      }
    }
  } catch (e) {
    port.postMessage({ id, ok: false, name: e instanceof Error ? e.name : 'Error', message: e instanceof Error ? e.message : String(e) });
  }
});
