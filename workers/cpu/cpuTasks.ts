// The CPU-heavy parts of the analyze and master jobs, as plain functions of local files. They run in a worker thread
// (runCpuTask.ts) so a long analysis or render never blocks the process that also serves pages, sockets and
// pg-boss heartbeats.
import { encodedBytes } from '../../lib/audio/encode/encodedAudio';
import type { DeliveryLoudness, TrackMetadata } from '../../lib/audio/metadata';
import { resample } from '../../lib/audio/resample';
import { serializePeaks } from '../../lib/audio/peaks';
import type { DecodedAudio, PcmAudio } from '../../lib/audio/types';
import { analyzeAudioWithPeaks } from '../../lib/mastering/analysis/analyze';
import { analyzeFile } from '../../lib/mastering/analyzeFile';
import type { AnalysisResult } from '../../lib/mastering/analysis/schema';
import { readAudioFile } from '../../lib/mastering/audioFile';
import { masterFiles } from '../../lib/mastering/match/masterFiles';
import type { MasteringReport } from '../../lib/mastering/report/report';
import { encodeMaster } from '../../lib/mastering/chain/encodeMaster';
import { defaultDeliveryRate, type MasteringSettings, type OutputFormat } from '../../lib/mastering/settings';

export interface ExportRender {
  exportId: string;
  format: OutputFormat;
  sampleRate: number;
}

export type CpuTask =
  | { kind: 'analyze'; filePath: string }
  | { kind: 'export'; filePath: string; renders: ExportRender[]; metadata: TrackMetadata; loudness: DeliveryLoudness | null }
  | { kind: 'master'; mixPath: string; referencePaths: string[]; settings: MasteringSettings | null; metadata: TrackMetadata };

export interface AnalyzeTaskResult {
  analysis: AnalysisResult;
  peaks: Uint8Array;
}

export interface MasterTaskResult {
  file: Uint8Array;
  fileExtension: string;
  frames: number;
  sampleRate: number;
  channels: number;
  settings: MasteringSettings;
  report: MasteringReport;
  analysis: AnalysisResult;
  peaks: Uint8Array;
}

export type Progress = (fraction: number, step: string) => void;

/** Share of the master task's progress each phase ends at. */
const DECODED_AT = 0.1;
const RENDERED_AT = 0.85;

function asDecoded(audio: PcmAudio): DecodedAudio {
  const frames = audio.channels[0]?.length ?? 0;
  return {
    ...audio,
    format: { container: 'wav', codec: 'pcm_s24le', sampleRate: audio.sampleRate, channelCount: audio.channels.length, bitsPerSample: 24, frames, durationSeconds: frames / audio.sampleRate },
  };
}

export async function analyzeTask(filePath: string, progress: Progress): Promise<AnalyzeTaskResult> {
  progress(0, 'decoding and measuring loudness, spectrum and stereo');
  // Measured as it is decoded (lib/mastering/analyzeFile.ts): no whole-track buffer, decoder and meters on two cores.
  const { analysis, peaks } = await analyzeFile(filePath, { onProgress: (fraction) => progress(0.9 * fraction, 'decoding and measuring loudness, spectrum and stereo') });
  return { analysis, peaks: serializePeaks(peaks) };
}

export async function masterTask(task: Extract<CpuTask, { kind: 'master' }>, progress: Progress): Promise<MasterTaskResult> {
  progress(0, 'decoding mix and references');
  // The stored master is the archival render (24-bit WAV); delivery formats are the export job's.
  const settings = task.settings ? { ...task.settings, output: { ...task.settings.output, format: 'wav24' as const, metadata: task.metadata } } : undefined;
  const result = await masterFiles({
    mixPath: task.mixPath,
    references: task.referencePaths.map((path) => ({ path })),
    settings,
    options: { output: { format: 'wav24', metadata: task.metadata } },
    onDecoded: () => progress(DECODED_AT, 'analysing mix and references'),
    onProgress: (p) => progress(DECODED_AT + p.fraction * (RENDERED_AT - DECODED_AT), `master: ${p.step}`),
  });
  if (!result.encoded) throw new Error('the render produced no file');
  progress(RENDERED_AT, 'measuring the master');
  const { analysis, peaks } = await analyzeAudioWithPeaks(asDecoded(result.audio));
  return {
    file: encodedBytes(result.encoded),
    fileExtension: result.encoded.fileExtension,
    frames: result.encoded.frames,
    sampleRate: result.encoded.sampleRate,
    channels: result.audio.channels.length,
    settings: result.settings,
    report: result.report,
    analysis,
    peaks: serializePeaks(peaks),
  };
}

export interface ExportFile {
  exportId: string;
  file: Uint8Array;
  fileExtension: string;
}

/** Encodes one master into several delivery formats; each target rate is resampled once. */
export async function exportTask(task: Extract<CpuTask, { kind: 'export' }>, progress: Progress): Promise<ExportFile[]> {
  progress(0, 'reading the master');
  const source = await readAudioFile(task.filePath);
  const byRate = new Map<number, PcmAudio>([[source.sampleRate, source]]);
  const out: ExportFile[] = [];
  for (const [i, render] of task.renders.entries()) {
    const rate = render.sampleRate || defaultDeliveryRate(render.format, source.sampleRate);
    if (!byRate.has(rate)) {
      progress((i + 0.2) / task.renders.length, `${render.format}: resampling to ${rate} Hz`);
      byRate.set(rate, resample(source, rate));
    }
    progress((i + 0.5) / task.renders.length, `${render.format}: encoding`);
    const encoded = await encodeMaster(
      byRate.get(rate)!,
      { format: render.format, sampleRate: null, dither: 'tpdf', noiseShaping: 'none', metadata: task.metadata },
      task.loudness ?? undefined,
    );
    out.push({ exportId: render.exportId, file: encodedBytes(encoded), fileExtension: encoded.fileExtension });
  }
  return out;
}
