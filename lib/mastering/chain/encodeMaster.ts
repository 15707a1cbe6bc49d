/** Delivery: dither (inside the PCM encoders) and encoding to the format the settings name, with metadata. */
import type { DeliveryLoudness, TrackMetadataInput } from '@/lib/audio/metadata';
import type { EncodedAudio } from '@/lib/audio/encode/encodedAudio';
import { encodeFlac } from '@/lib/audio/encode/flac';
import { encodeMp3 } from '@/lib/audio/encode/mp3';
import { encodeWav } from '@/lib/audio/encode/wav';
import type { PcmAudio } from '@/lib/audio/types';
import type { OutputSettings } from '../settings';

export interface EncodeMasterOptions {
  seed?: number;
  /** For PCM formats: where blocks of sample data are written (see WavEncodeOptions.allocateBlock). */
  allocateBlock?: (byteLength: number) => Uint8Array;
}

export async function encodeMaster(pcm: PcmAudio, output: OutputSettings, loudness?: DeliveryLoudness, { seed = 1, allocateBlock }: EncodeMasterOptions = {}): Promise<EncodedAudio> {
  const metadata: TrackMetadataInput = { ...output.metadata, ...(loudness ? { loudness } : {}) };
  const quantize = { dither: output.dither, noiseShaping: output.noiseShaping, seed };
  switch (output.format) {
    case 'wav24':
    case 'wav16':
      return encodeWav(pcm, { ...quantize, bitDepth: output.format === 'wav24' ? 24 : 16, metadata, allocateBlock });
    case 'flac24':
    case 'flac16':
      return encodeFlac(pcm, { ...quantize, bitDepth: output.format === 'flac24' ? 24 : 16, metadata: output.metadata });
    case 'mp3-320':
      return encodeMp3(pcm, { mode: { kind: 'cbr', bitrateKbps: 320 }, metadata: output.metadata });
    case 'mp3-v0':
      return encodeMp3(pcm, { mode: { kind: 'vbr', quality: 0 }, metadata: output.metadata });
  }
}
