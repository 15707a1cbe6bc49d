/**
 * The mix of a master, read and measured at once: its samples are needed whole (the render works on them), and its
 * match analysis can be taken from the same pieces as they arrive, while the decoder thread is still busy, instead of
 * in a pass over the whole track afterwards. Formats that are not streamed come back whole without an analysis
 * (masterTrack then measures them itself).
 */
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
        let channels = Array.from({ length: channelCount }, () => new Float32Array(Number.isFinite(expectedFrames) ? expectedFrames : sampleRate * 60));
        let frames = 0;
        return {
          push: (piece, count) => {
            if (frames + count > channels[0].length) {
              // The header's length was short (or unknown): grow by half again.
              const capacity = Math.max(frames + count, Math.ceil(channels[0].length * 1.5));
              channels = channels.map((c) => {
                const grown = new Float32Array(capacity);
                grown.set(c.subarray(0, frames));
                return grown;
              });
            }
            for (let c = 0; c < channelCount; c++) channels[c].set(piece[c].subarray(0, count), frames);
            frames += count;
            analyzer.push(piece, count);
          },
          finish: async (format) => {
            const trimmed = channels.map((c) => (c.length === frames ? c : c.length - frames > frames >> 5 ? c.slice(0, frames) : c.subarray(0, frames)));
            return { mix: { sampleRate, channels: trimmed, format }, analysis: analyzer.finish() };
          },
        };
      },
      whole: async (decoded) => ({ mix: decoded }),
    },
    options,
  );
}
