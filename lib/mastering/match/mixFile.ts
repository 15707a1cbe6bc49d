/**
 * The mix of a master, read and measured at once: its samples are needed whole (the render works on them), and its
 * match analysis can be taken from the same pieces as they arrive, while the decoder thread is still busy, instead of
 * in a pass over the whole track afterwards. Formats that are not streamed come back whole without an analysis
 * (masterTrack then measures them itself).
 */
import { PlanarAccumulator } from '@/lib/audio/decode/planarAccumulator';
import type { DecodedAudio } from '@/lib/audio/types';
import type { ReadAudioFileOptions } from '../audioFile';
import { streamAudioFile } from '../streamAudioFile';
import { MatchAnalyzer, type MatchAnalysis } from './matchAnalysis';

export interface MeasuredMix {
  mix: DecodedAudio;
  /** The mix's match analysis with its true peak, as analyzeForMatch(mix, { truePeak: true }) gives it. */
  analysis?: MatchAnalysis;
}

export function readMixMeasured(path: string, options: ReadAudioFileOptions = {}): Promise<MeasuredMix> {
  return streamAudioFile<MeasuredMix>(
    path,
    {
      open: async (sampleRate, channelCount, expectedFrames) => {
        const analyzer = await MatchAnalyzer.create(sampleRate, channelCount, { truePeak: true, expectedFrames: Number.isFinite(expectedFrames) ? expectedFrames : undefined });
        // The header's length sizes the mix's buffer; a short or missing one only costs growing it.
        const samples = new PlanarAccumulator(Number.isFinite(expectedFrames) ? expectedFrames : sampleRate * 60);
        return {
          push: (piece, count) => {
            samples.append(piece.map((c) => c.subarray(0, count)));
            analyzer.push(piece, count);
          },
          finish: async (format) => ({ mix: { sampleRate, channels: samples.take(), format }, analysis: analyzer.finish() }),
        };
      },
      whole: async (decoded) => ({ mix: decoded }),
    },
    options,
  );
}
