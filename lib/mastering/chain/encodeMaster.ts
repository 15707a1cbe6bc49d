/** Delivery: dither (inside the PCM encoders) and encoding to the format the settings name, with metadata. */
import type { DeliveryLoudness, TrackMetadataInput } from '@/lib/audio/metadata';
import type { EncodedAudio } from '@/lib/audio/encode/encodedAudio';
import { encodeFlac } from '@/lib/audio/encode/flac';
import { encodeMp3 } from '@/lib/audio/encode/mp3';
import { layOutWav, writeWavChannel } from '@/lib/audio/encode/wav';
import { Quantizer } from '@/lib/audio/dither';
import type { PcmAudio } from '@/lib/audio/types';
import { inSharedMemory } from '@/lib/audio/workingAudio';
import type { OutputSettings } from '../settings';
import type { ChainWorker } from './chainWorkerClient';

export interface EncodeMasterOptions {
  seed?: number;
  /** For PCM formats: where blocks of sample data are written (see WavEncodeOptions.allocateBlock). */
  allocateBlock?: (byteLength: number) => Uint8Array;
  /**
   * A WAV's second channel is quantised on this thread meanwhile, when the samples and the blocks they go into are
   * in shared memory (the master's working buffers): the channels are independent, and the bytes are the same.
   */
  worker?: ChainWorker | null;
}

export async function encodeMaster(pcm: PcmAudio, output: OutputSettings, loudness?: DeliveryLoudness, { seed = 1, allocateBlock, worker }: EncodeMasterOptions = {}): Promise<EncodedAudio> {
  const metadata: TrackMetadataInput = { ...output.metadata, ...(loudness ? { loudness } : {}) };
  const quantize = { dither: output.dither, noiseShaping: output.noiseShaping, seed };
  switch (output.format) {
    case 'wav24':
    case 'wav16':
    {
      const bitDepth = output.format === 'wav24' ? 24 : 16;
      const layout = layOutWav(pcm.sampleRate, pcm.channels.map((c) => c.length), { ...quantize, bitDepth, metadata, allocateBlock });
      const quantizer = new Quantizer(bitDepth, pcm.channels.length, quantize);
      const { blocks, channelCount } = layout;
      const remote =
        worker && channelCount === 2 && inSharedMemory(pcm.channels) && inSharedMemory(blocks)
          ? worker.run({ kind: 'wavChannel', blocks, bitDepth, channelCount, channel: 1, samples: pcm.channels[1], quantize })
          : null;
      remote?.catch(() => undefined);
      pcm.channels.forEach((samples, channel) => {
        if (!(remote && channel === 1)) writeWavChannel(layout, quantizer, channel, samples);
      });
      await remote;
      return layout.encoded;
    }
    case 'flac24':
    case 'flac16':
      return encodeFlac(pcm, { ...quantize, bitDepth: output.format === 'flac24' ? 24 : 16, metadata: output.metadata });
    case 'mp3-320':
      return encodeMp3(pcm, { mode: { kind: 'cbr', bitrateKbps: 320 }, metadata: output.metadata });
    case 'mp3-v0':
      return encodeMp3(pcm, { mode: { kind: 'vbr', quality: 0 }, metadata: output.metadata });
  }
}
