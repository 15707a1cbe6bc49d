/**
 * AIFF and AIFF-C parser (big-endian integer, 'sowt' little-endian, 'fl32'/'fl64' float, 'NONE'/'twos'/'in24'/'in32').
 */
import { AudioFormatError, type DecodedAudio, type FormatInfo } from '../types';
import { assertMasterable } from './limits';
import { pcmToPlanar, type PcmLayout, type PcmSampleFormat } from './pcmSamples';
import { fourCC } from './wav';

export interface AiffLayout {
  container: 'aiff' | 'aifc';
  codec: string;
  sampleFormat: PcmSampleFormat;
  littleEndian: boolean;
  channelCount: number;
  sampleRate: number;
  bitsPerSample: number;
  frameBytes: number;
  dataOffset: number;
  frames: number;
}

/** `bytes` may be only the head of the file when `totalBytes` gives the full size (upload probing). */
export function parseAiffLayout(bytes: Uint8Array, totalBytes: number = bytes.length): AiffLayout {
  if (bytes.length < 12) throw new AudioFormatError('truncated AIFF: file is shorter than a FORM header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const form = fourCC(bytes, 8);
  if (fourCC(bytes, 0) !== 'FORM' || (form !== 'AIFF' && form !== 'AIFC')) throw new AudioFormatError('not an AIFF file');
  const isAifc = form === 'AIFC';

  let comm: { channelCount: number; declaredFrames: number; bits: number; sampleRate: number; compression: string } | null = null;
  let ssnd: { dataOffset: number; dataBytes: number } | null = null;
  let pos = 12;
  while (pos + 8 <= totalBytes && !(comm && ssnd)) {
    if (pos + 8 > bytes.length) throw new AudioFormatError(`AIFF header is longer than the ${bytes.length} bytes examined`);
    const id = fourCC(bytes, pos);
    if (!/^[\x20-\x7e]{4}$/.test(id)) throw new AudioFormatError(`corrupt AIFF: unreadable chunk header at byte ${pos}`);
    const size = view.getUint32(pos + 4, false);
    const body = pos + 8;
    if (id === 'COMM') {
      if (size < 18 || body + 18 > bytes.length) throw new AudioFormatError('corrupt AIFF: COMM chunk is too short');
      comm = {
        channelCount: view.getUint16(body, false),
        declaredFrames: view.getUint32(body + 2, false),
        bits: view.getUint16(body + 6, false),
        sampleRate: readExtended(view, body + 8),
        compression: isAifc && size >= 22 ? fourCC(bytes, body + 18) : 'NONE',
      };
    } else if (id === 'SSND') {
      if (body + 8 > bytes.length) throw new AudioFormatError('truncated AIFF: SSND chunk header is cut off');
      const offset = view.getUint32(body, false);
      const available = Math.max(0, totalBytes - body - 8 - offset);
      const declared = size >= 8 + offset ? size - 8 - offset : 0;
      if (declared > available) {
        throw new AudioFormatError(`truncated AIFF: sound data chunk declares ${declared} bytes, file has ${available}`);
      }
      ssnd = { dataOffset: body + 8 + offset, dataBytes: declared };
    } else if (body + size > totalBytes) {
      throw new AudioFormatError(
        `truncated or corrupt AIFF: chunk '${id}' declares ${size} bytes but the file ends after ${totalBytes - body}`,
      );
    }
    pos = body + size + (size & 1);
  }
  if (!comm) throw new AudioFormatError('corrupt AIFF: no COMM chunk');
  if (!ssnd) throw new AudioFormatError('corrupt AIFF: no sound data (SSND) chunk');
  assertMasterable(comm.channelCount, comm.sampleRate, 'AIFF file');

  const { sampleFormat, littleEndian, codec } = sampleFormatFor(comm.compression, comm.bits);
  const width = sampleFormat === 'float64' ? 8 : sampleFormat === 'float32' || sampleFormat === 'int32' ? 4 : Math.ceil(comm.bits / 8);
  const frameBytes = width * comm.channelCount;
  const framesInData = Math.floor(ssnd.dataBytes / frameBytes);
  if (comm.declaredFrames > framesInData) {
    throw new AudioFormatError(
      `truncated AIFF: COMM declares ${comm.declaredFrames} frames, sound data holds ${framesInData}`,
    );
  }
  if (comm.declaredFrames === 0) throw new AudioFormatError('AIFF file contains no audio samples');
  return {
    container: isAifc ? 'aifc' : 'aiff',
    codec,
    sampleFormat,
    littleEndian,
    channelCount: comm.channelCount,
    sampleRate: comm.sampleRate,
    bitsPerSample: comm.bits,
    frameBytes,
    dataOffset: ssnd.dataOffset,
    frames: comm.declaredFrames,
  };
}

export function decodeAiff(bytes: Uint8Array): DecodedAudio {
  const layout = parseAiffLayout(bytes);
  const channels = pcmToPlanar(bytes, layout.dataOffset, layout.frames, aiffPcmLayout(layout));
  return { sampleRate: layout.sampleRate, channels, format: aiffFormatInfo(layout) };
}

export function aiffPcmLayout(layout: AiffLayout): PcmLayout {
  return { format: layout.sampleFormat, littleEndian: layout.littleEndian, channelCount: layout.channelCount, frameStride: layout.frameBytes };
}

export function aiffFormatInfo(layout: AiffLayout): FormatInfo {
  return {
    container: layout.container,
    codec: layout.codec,
    sampleRate: layout.sampleRate,
    channelCount: layout.channelCount,
    bitsPerSample: layout.bitsPerSample,
    frames: layout.frames,
    durationSeconds: layout.frames / layout.sampleRate,
  };
}

function sampleFormatFor(compression: string, bits: number): { sampleFormat: PcmSampleFormat; littleEndian: boolean; codec: string } {
  const intFormat = (): PcmSampleFormat => {
    if (bits >= 1 && bits <= 8) return 'int8';
    if (bits <= 16) return 'int16';
    if (bits <= 24) return 'int24';
    if (bits <= 32) return 'int32';
    throw new AudioFormatError(`AIFF with ${bits}-bit samples is not supported`);
  };
  switch (compression) {
    case 'NONE':
    case 'twos':
    case 'in24':
    case 'in32': {
      const f = intFormat();
      return { sampleFormat: f, littleEndian: false, codec: f === 'int8' ? 'pcm_s8' : `pcm_s${f.slice(3)}be` };
    }
    case 'sowt': {
      const f = intFormat();
      return { sampleFormat: f, littleEndian: true, codec: f === 'int8' ? 'pcm_s8' : `pcm_s${f.slice(3)}le` };
    }
    case 'raw ':
      if (bits !== 8) throw new AudioFormatError(`AIFF-C 'raw ' with ${bits}-bit samples is not supported`);
      return { sampleFormat: 'uint8', littleEndian: false, codec: 'pcm_u8' };
    case 'fl32':
    case 'FL32':
      return { sampleFormat: 'float32', littleEndian: false, codec: 'pcm_f32be' };
    case 'fl64':
    case 'FL64':
      return { sampleFormat: 'float64', littleEndian: false, codec: 'pcm_f64be' };
    default:
      throw new AudioFormatError(`AIFF-C compression '${compression.replace(/[^\x20-\x7e]/g, '?')}' is not supported`);
  }
}

/** IEEE 754 80-bit extended (the AIFF sample rate field): sign+15-bit exponent, 64-bit mantissa with explicit 1. */
export function readExtended(view: DataView, offset: number): number {
  const signExp = view.getUint16(offset, false);
  const hi = view.getUint32(offset + 2, false);
  const lo = view.getUint32(offset + 6, false);
  const exp = (signExp & 0x7fff) - 16383;
  const mantissa = hi * 2 ** 32 + lo;
  const value = mantissa * 2 ** (exp - 63);
  return signExp & 0x8000 ? -value : value;
}
