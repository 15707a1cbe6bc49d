/**
 * MP3 encoder: LAME 3.100 (wasm-media-encoders, WASM) for the frames, plus what that build leaves out and we add:
 * the Xing/Info + LAME header frame (so decoders trim the encoder delay and padding and return exactly the
 * source length) and an ID3v2.4 tag with the release metadata. 320 kbit/s CBR or V0 VBR. MP3 exists only at
 * 32/44.1/48 kHz here (MPEG-1): resample higher-rate masters first.
 */
import type { createMp3Encoder } from 'wasm-media-encoders';
import { trackMetadataSchema, type TrackMetadataInput } from '../metadata';
import type { PcmAudio } from '../types';
import type { EncodedAudio } from './encodedAudio';
import { buildId3v2Tag } from './id3';
import { buildInfoFrame, crc16, scanFrames } from './xingLame';

export type Mp3Mode = { kind: 'cbr'; bitrateKbps: 320 } | { kind: 'vbr'; quality: 0 };

export interface Mp3EncodeOptions {
  mode: Mp3Mode;
  metadata?: TrackMetadataInput;
}

export const MP3_SAMPLE_RATES = [32000, 44100, 48000] as const;
/** LAME's MDCT/filterbank look-ahead at MPEG-1 rates; decoders add their own 529 on top (1105 in total). */
export const LAME_ENCODER_DELAY = 576;
const SAMPLES_PER_FRAME = 1152;
const BLOCK_FRAMES = SAMPLES_PER_FRAME * 128;

type Mp3Encoder = Awaited<ReturnType<typeof createMp3Encoder>>;
let encoderPromise: Promise<Mp3Encoder> | undefined;

export async function encodeMp3(pcm: PcmAudio, options: Mp3EncodeOptions): Promise<EncodedAudio> {
  const metadata = trackMetadataSchema.parse(options.metadata ?? {});
  if (!(MP3_SAMPLE_RATES as readonly number[]).includes(pcm.sampleRate)) {
    throw new Error(`MP3 needs 32, 44.1 or 48 kHz audio (got ${pcm.sampleRate} Hz): resample first`);
  }
  const channelCount = pcm.channels.length;
  if (channelCount !== 1 && channelCount !== 2) throw new Error('MP3 supports mono or stereo');
  const frames = pcm.channels[0].length;
  // One encoder instance reconfigured per file: WASM compilation is the slow part. Calls never interleave
  // because each encode runs synchronously from configure() to finalize().
  // Loaded on first use: every master imports this module, few encode MP3 (~35 ms of start-up otherwise).
  encoderPromise ??= import('wasm-media-encoders').then((m) => m.createMp3Encoder());
  const encoder = await encoderPromise;
  const mode = options.mode;
  encoder.configure({
    sampleRate: pcm.sampleRate,
    channels: channelCount as 1 | 2,
    ...(mode.kind === 'cbr' ? { bitrate: mode.bitrateKbps } : { vbrQuality: mode.quality }),
  });

  const parts: Uint8Array[] = [];
  let audioBytes = 0;
  const keep = (out: Uint8Array) => {
    if (out.length === 0) return;
    parts.push(out.slice()); // the encoder reuses its output buffer
    audioBytes += out.length;
  };
  for (let start = 0; start < frames; start += BLOCK_FRAMES) {
    const end = Math.min(frames, start + BLOCK_FRAMES);
    keep(encoder.encode(pcm.channels.map((c) => c.subarray(start, end))));
  }
  keep(encoder.finalize());

  // Frame layout needs one contiguous view; the stream is ~2.4 MB/min at 320k, so this copy is affordable.
  const stream = new Uint8Array(audioBytes);
  let o = 0;
  for (const part of parts) {
    stream.set(part, o);
    o += part.length;
  }
  const mpegFrames = scanFrames(stream);
  const padding = mpegFrames.length * SAMPLES_PER_FRAME - LAME_ENCODER_DELAY - frames;
  const info = buildInfoFrame({
    firstFrameHeader: stream.subarray(0, 4),
    frames: mpegFrames,
    audioBytes,
    musicCrc: crc16(stream),
    encoderDelay: LAME_ENCODER_DELAY,
    padding,
    vbr: mode.kind === 'vbr',
    vbrQuality: mode.kind === 'vbr' ? mode.quality : undefined,
    cbrKbps: mode.kind === 'cbr' ? mode.bitrateKbps : undefined,
  });
  const id3 = buildId3v2Tag(metadata);
  return {
    chunks: [id3, info, stream],
    byteLength: id3.length + info.length + stream.length,
    mimeType: 'audio/mpeg',
    fileExtension: 'mp3',
    frames,
    sampleRate: pcm.sampleRate,
  };
}
