/**
 * Full analysis of a decoded track: loudness, peaks, spectrum, stereo, dynamics, descriptors and problems. The meters
 * run in trackAnalyzer.ts, which also takes a stream (lib/mastering/analyzeFile.ts feeds it straight from the decoder);
 * the result is assembled in analysisResult.ts.
 */
import type { DecodedAudio } from '@/lib/audio/types';
import { analysisResultSchema, type AnalysisResult } from './schema';
import { formatTime } from './problems';
import { TrackAnalyzer, MAX_ANALYSIS_CHANNELS, type AnalysisWithPeaks, type AnalyzeOptions } from './trackAnalyzer';

export { MAX_ANALYSIS_CHANNELS, type AnalysisWithPeaks, type AnalyzeOptions };

export async function analyzeAudio(decoded: DecodedAudio, options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  return (await analyzeAudioWithPeaks(decoded, options)).analysis;
}

export async function analyzeAudioWithPeaks(decoded: DecodedAudio, options: AnalyzeOptions = {}): Promise<AnalysisWithPeaks> {
  return TrackAnalyzer.analyzeWhole(decoded, options);
}

export { analysisResultSchema, formatTime };
