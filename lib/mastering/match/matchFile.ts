/**
 * The match analysis of a file as it is read (../streamAudioFile.ts): a reference needs only its measurements, never
 * its samples, so WAV and Ogg Vorbis references are measured without a whole-track buffer; other formats are decoded
 * whole. The reference thread of masterFiles runs this.
 */
import type { ReadAudioFileOptions } from '../audioFile';
import { streamAudioFile } from '../streamAudioFile';
import { analyzeForMatch, MatchAnalyzer, type MatchAnalysis, type MatchAnalysisOptions } from './matchAnalysis';

export function analyzeFileForMatch(path: string, options: MatchAnalysisOptions & ReadAudioFileOptions = {}): Promise<MatchAnalysis> {
  return streamAudioFile<MatchAnalysis>(
    path,
    {
      open: async (sampleRate, channelCount, expectedFrames) => {
        const analyzer = await MatchAnalyzer.create(sampleRate, channelCount, { ...options, expectedFrames: Number.isFinite(expectedFrames) ? expectedFrames : undefined });
        return { push: (channels, frames) => analyzer.push(channels, frames), finish: async () => analyzer.finish() };
      },
      whole: (decoded) => analyzeForMatch(decoded, options),
    },
    options,
  );
}
