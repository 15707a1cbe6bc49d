/**
 * Full analysis of an audio file, measured as it is read (streamAudioFile.ts): WAV and AIFF from disk, Ogg Vorbis from
 * ffmpeg, FLAC, MP3 and Opus from the decoder thread go through the streamed TrackAnalyzer, so no whole-track buffer
 * exists; MP4 (and a stream the decoders leave to the general path) is decoded whole and analysed in place. The CLI's
 * `analyze` and the "analyze" job run this.
 */
import { TrackAnalyzer, type AnalysisWithPeaks, type AnalyzeOptions } from './analysis/trackAnalyzer';
import type { ReadAudioFileOptions } from './audioFile';
import { streamAudioFile } from './streamAudioFile';

export interface AnalyzeFileOptions extends AnalyzeOptions, ReadAudioFileOptions {
  /** Share of the file measured so far (0-1), every ~5 % while it streams. */
  onProgress?: (fraction: number) => void;
}

export function analyzeFile(path: string, options: AnalyzeFileOptions = {}): Promise<AnalysisWithPeaks> {
  return streamAudioFile<AnalysisWithPeaks>(
    path,
    {
      open: async (sampleRate, channelCount, expectedFrames) => {
        const analyzer = await TrackAnalyzer.create(sampleRate, channelCount, { ...options, expectedFrames: Number.isFinite(expectedFrames) ? expectedFrames : undefined, stageCpuFromWall: true });
        return { push: (channels, frames) => analyzer.push(channels, frames), finish: (format) => analyzer.finish(format) };
      },
      whole: (decoded) => TrackAnalyzer.analyzeWhole(decoded, options),
      // The decoder takes a while to deliver its first samples (the thread ~150 ms, ffmpeg ~20 ms): load the descriptor
      // libraries meanwhile.
      meanwhile: () => TrackAnalyzer.preload(options),
      onProgress: options.onProgress,
    },
    options,
  );
}
