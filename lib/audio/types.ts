/**
 * Shared shapes for lib/audio. Everything here is plain typed arrays so the DSP can run in a worker thread,
 * in the CLI or in the web process without any framework.
 */

/** Planar PCM: one Float32Array per channel, nominal full scale ±1.0. Float32 keeps long files at 4 bytes a sample;
 * processing stages compute in float64 internally. */
export interface PcmAudio {
  sampleRate: number;
  channels: Float32Array[];
}

/** What a decoder learned about the file besides the samples. */
export interface FormatInfo {
  /** e.g. "wav", "rf64", "aiff", "aifc", "flac", "mp3", "ogg", "mp4" */
  container: string;
  /** e.g. "pcm_s16le", "pcm_f32le", "flac", "mp3", "vorbis", "opus", "aac", "alac" */
  codec: string;
  sampleRate: number;
  channelCount: number;
  /** Bits per sample of the stored PCM, when the format has such a thing (lossless formats). */
  bitsPerSample?: number;
  /** Frames (samples per channel) after gapless trimming. */
  frames: number;
  durationSeconds: number;
}

export interface DecodedAudio extends PcmAudio {
  format: FormatInfo;
}

/** Thrown for input that is not decodable audio. The message names what is wrong in words a user understands. */
export class AudioFormatError extends Error {
  override name = 'AudioFormatError';
  constructor(message: string) {
    super(message);
  }
}
