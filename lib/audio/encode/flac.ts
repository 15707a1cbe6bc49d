/**
 * FLAC encoder: libFLAC 1.3.4 (libflacjs, WASM) for the frames; the metadata header is rebuilt here because the
 * streaming encoder cannot seek back (STREAMINFO is left without MD5 and frame sizes) and writes only an empty
 * VORBIS_COMMENT. We put the final STREAMINFO, our Vorbis comments and a little padding (so taggers can edit
 * in place) before the frames, with the last-metadata-block flag on the final block.
 */
import { createRequire } from 'node:module';
import { Quantizer, type OutputBitDepth, type QuantizeOptions } from '../dither';
import { trackMetadataSchema, type TrackMetadataInput } from '../metadata';
import type { PcmAudio } from '../types';
import type { EncodedAudio } from './encodedAudio';
import { buildVorbisComment } from './vorbisComment';

export interface FlacEncodeOptions extends QuantizeOptions {
  bitDepth: OutputBitDepth;
  /** libFLAC compression level 0-8 (5 is the flac tool's default: near-best size at a fraction of 8's time). */
  compressionLevel?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;
  metadata?: TrackMetadataInput;
}

interface FlacStreamInfo {
  min_framesize: number;
  max_framesize: number;
  md5sum: string;
  total_samples: number;
}

interface LibFlac {
  isReady(): boolean;
  on(event: 'ready', listener: () => void): void;
  create_libflac_encoder(
    sampleRate: number,
    channels: number,
    bps: number,
    level: number,
    totalSamples: number,
    verify: boolean,
    blockSize: number,
  ): number;
  init_encoder_stream(
    encoder: number,
    write: (data: Uint8Array, bytes: number, samples: number, frame: number) => void,
    metadata: (info: FlacStreamInfo) => void,
  ): number;
  FLAC__stream_encoder_process(encoder: number, channels: Int32Array[], samples: number): boolean;
  FLAC__stream_encoder_finish(encoder: number): boolean;
  FLAC__stream_encoder_delete(encoder: number): void;
  FLAC__stream_encoder_get_state(encoder: number): number;
}

let libFlac: Promise<LibFlac> | undefined;

/** libflacjs sees a global fetch under Node 20, assumes a browser and tries to fetch its .wasm: hide it while loading. */
function loadLibFlac(): Promise<LibFlac> {
  libFlac ??= new Promise<LibFlac>((resolve, reject) => {
    const require = createRequire(import.meta.url);
    const savedFetch = globalThis.fetch;
    let flac: LibFlac;
    try {
      (globalThis as { fetch?: typeof fetch }).fetch = undefined;
      flac = (require('libflacjs') as (variant: string) => LibFlac)('wasm');
    } catch (error) {
      reject(error);
      return;
    } finally {
      globalThis.fetch = savedFetch;
    }
    if (flac.isReady()) resolve(flac);
    else flac.on('ready', () => resolve(flac));
  });
  return libFlac;
}

const BLOCK_FRAMES = 65536;
const PADDING_BYTES = 4096;
const VENDOR = 'reference libFLAC 1.3.4 20220220';
const BLOCK_STREAMINFO = 0;
const BLOCK_PADDING = 1;
const BLOCK_VORBIS_COMMENT = 4;

export async function encodeFlac(pcm: PcmAudio, options: FlacEncodeOptions): Promise<EncodedAudio> {
  const metadata = trackMetadataSchema.parse(options.metadata ?? {});
  const channelCount = pcm.channels.length;
  const frames = pcm.channels[0]?.length ?? 0;
  const flac = await loadLibFlac();
  const encoder = flac.create_libflac_encoder(
    pcm.sampleRate,
    channelCount,
    options.bitDepth,
    options.compressionLevel ?? 5,
    frames,
    false,
    0,
  );
  if (!encoder) throw new Error('libFLAC could not create an encoder');
  const written: Uint8Array[] = [];
  let info: FlacStreamInfo | undefined;
  try {
    const status = flac.init_encoder_stream(
      encoder,
      (data) => written.push(data.slice()),
      (i) => {
        info = i;
      },
    );
    if (status !== 0) throw new Error(`libFLAC encoder init failed (status ${status})`);
    const quantizer = new Quantizer(options.bitDepth, channelCount, options);
    const blocks = pcm.channels.map(() => new Int32Array(BLOCK_FRAMES));
    for (let start = 0; start < frames; start += BLOCK_FRAMES) {
      const n = Math.min(BLOCK_FRAMES, frames - start);
      for (let ch = 0; ch < channelCount; ch++) quantizer.quantizeBlock(ch, pcm.channels[ch], start, start + n, blocks[ch]);
      const input = n === BLOCK_FRAMES ? blocks : blocks.map((b) => b.subarray(0, n));
      if (!flac.FLAC__stream_encoder_process(encoder, input, n)) {
        throw new Error(`libFLAC encoding failed (state ${flac.FLAC__stream_encoder_get_state(encoder)})`);
      }
    }
    if (!flac.FLAC__stream_encoder_finish(encoder)) {
      throw new Error(`libFLAC could not finish (state ${flac.FLAC__stream_encoder_get_state(encoder)})`);
    }
  } finally {
    flac.FLAC__stream_encoder_delete(encoder);
  }
  if (!info) throw new Error('libFLAC reported no stream info');

  const { streamInfo, framesStart } = readLeadingStreamInfo(written);
  patchStreamInfo(streamInfo, info);
  const comment = buildVorbisComment(metadata, VENDOR);
  const header = new Uint8Array(4 + 4 + streamInfo.length + 4 + comment.length + 4 + PADDING_BYTES);
  header.set([0x66, 0x4c, 0x61, 0x43]); // "fLaC"
  let p = 4;
  p = writeBlock(header, p, BLOCK_STREAMINFO, false, streamInfo);
  p = writeBlock(header, p, BLOCK_VORBIS_COMMENT, false, comment);
  writeBlock(header, p, BLOCK_PADDING, true, new Uint8Array(PADDING_BYTES));
  const chunks = [header, ...framesStart];
  return {
    chunks,
    byteLength: chunks.reduce((s, c) => s + c.length, 0),
    mimeType: 'audio/flac',
    fileExtension: 'flac',
    frames,
    sampleRate: pcm.sampleRate,
  };
}

function writeBlock(target: Uint8Array, offset: number, type: number, last: boolean, body: Uint8Array): number {
  if (body.length >= 1 << 24) throw new Error('FLAC metadata block too large');
  target[offset] = (last ? 0x80 : 0) | type;
  target[offset + 1] = body.length >>> 16;
  target[offset + 2] = (body.length >>> 8) & 0xff;
  target[offset + 3] = body.length & 0xff;
  target.set(body, offset + 4);
  return offset + 4 + body.length;
}

/**
 * Walks libFLAC's metadata blocks at the start of its output, keeps STREAMINFO, drops the rest (the empty
 * VORBIS_COMMENT), and returns the remaining output (the audio frames) as chunks without copying them.
 */
function readLeadingStreamInfo(written: Uint8Array[]): { streamInfo: Uint8Array; framesStart: Uint8Array[] } {
  // Metadata is small and comes first: flatten just enough of the leading chunks to parse it.
  let headBytes = 0;
  let headChunks = 0;
  while (headChunks < written.length && headBytes < 65536) headBytes += written[headChunks++].length;
  const head = new Uint8Array(headBytes);
  let o = 0;
  for (let i = 0; i < headChunks; i++) {
    head.set(written[i], o);
    o += written[i].length;
  }
  if (String.fromCharCode(...head.subarray(0, 4)) !== 'fLaC') throw new Error('libFLAC output lacks the fLaC marker');
  let p = 4;
  let streamInfo: Uint8Array | undefined;
  for (;;) {
    if (p + 4 > head.length) throw new Error('libFLAC metadata longer than expected');
    const last = (head[p] & 0x80) !== 0;
    const type = head[p] & 0x7f;
    const length = (head[p + 1] << 16) | (head[p + 2] << 8) | head[p + 3];
    if (type === BLOCK_STREAMINFO) streamInfo = head.slice(p + 4, p + 4 + length);
    p += 4 + length;
    if (last) break;
  }
  if (!streamInfo) throw new Error('libFLAC output lacks STREAMINFO');
  return { streamInfo, framesStart: [head.subarray(p), ...written.slice(headChunks)] };
}

/** Fills in what libFLAC could only know at the end: min/max frame size, total samples, MD5 of the PCM. */
function patchStreamInfo(s: Uint8Array, info: FlacStreamInfo): void {
  const put24 = (offset: number, v: number) => {
    s[offset] = (v >>> 16) & 0xff;
    s[offset + 1] = (v >>> 8) & 0xff;
    s[offset + 2] = v & 0xff;
  };
  put24(4, info.min_framesize);
  put24(7, info.max_framesize);
  // Total samples: low 36 bits spread over byte 13 (low nibble) and bytes 14-17.
  const total = info.total_samples;
  s[13] = (s[13] & 0xf0) | (Math.floor(total / 2 ** 32) & 0x0f);
  new DataView(s.buffer, s.byteOffset, s.byteLength).setUint32(14, total >>> 0);
  if (/^[0-9a-f]{32}$/i.test(info.md5sum)) {
    for (let i = 0; i < 16; i++) s[18 + i] = parseInt(info.md5sum.slice(2 * i, 2 * i + 2), 16);
  }
}
