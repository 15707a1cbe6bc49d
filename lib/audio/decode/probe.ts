/**
 * Identifies an upload from its first bytes: which container/codec, rate, channels and length. Used by the web
 * upload path to reject non-audio and unmasterable files before the whole body is stored or decoded.
 */
import { AudioFormatError, type FormatInfo } from '../types';
import { parseAiffLayout } from './aiff';
import { assertMasterable } from './limits';
import { findMoov, readAudioTrack } from './mp4Boxes';
import { findFirstMpegFrame, MP3_DECODER_DELAY, readXingInfo, skipId3v2 } from './mpegFrame';
import { parseWavLayout } from './wav';

export type AudioContainer = 'wav' | 'aiff' | 'flac' | 'mp3' | 'ogg' | 'mp4';

/** How many leading bytes the probe wants; more is ignored. */
export const PROBE_HEAD_BYTES = 1024 * 1024;

const ascii = (b: Uint8Array, offset: number, length: number): string =>
  offset + length <= b.length ? String.fromCharCode(...b.subarray(offset, offset + length)) : '';

/** The container we can decode, judged by magic bytes only (never by file name); null if none. */
export function sniffContainer(head: Uint8Array): AudioContainer | null {
  const riff = ascii(head, 0, 4);
  if ((riff === 'RIFF' || riff === 'RF64' || riff === 'BW64') && ascii(head, 8, 4) === 'WAVE') return 'wav';
  if (riff === 'FORM' && (ascii(head, 8, 4) === 'AIFF' || ascii(head, 8, 4) === 'AIFC')) return 'aiff';
  if (riff === 'OggS') return 'ogg';
  if (ascii(head, 4, 4) === 'ftyp') return 'mp4';
  const afterId3 = skipId3v2(head);
  if (ascii(head, afterId3, 4) === 'fLaC') return 'flac';
  if (afterId3 > 0 && afterId3 >= head.length) return 'mp3'; // an ID3 tag longer than the head: MP3 by convention
  const frame = findFirstMpegFrame(head, afterId3, afterId3 > 0 ? 64 * 1024 : 4096);
  if (frame && (afterId3 > 0 || frame.offset === 0 || frame.offset < 4096)) return 'mp3';
  return null;
}

/** A user-facing reason for bytes that are not a supported audio file. */
export function describeUnsupported(head: Uint8Array): string {
  if (head.length === 0) return 'the file is empty';
  const b = head;
  const s4 = ascii(b, 0, 4);
  const other = (what: string) => `not an audio file: looks like ${what}`;
  const unsupportedAudio = (what: string) => `unsupported audio format: ${what}; convert to WAV, AIFF, FLAC, MP3, Ogg or M4A`;
  if (s4 === '\x89PNG') return other('a PNG image');
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return other('a JPEG image');
  if (s4 === 'GIF8') return other('a GIF image');
  if (s4 === '%PDF') return other('a PDF document');
  if (s4 === 'PK\x03\x04') return other('a ZIP archive or office document');
  if (b[0] === 0x1f && b[1] === 0x8b) return other('a gzip archive');
  if (s4 === 'Rar!') return other('a RAR archive');
  if (s4 === '7z\xbc\xaf') return other('a 7-Zip archive');
  if (s4 === '\x7fELF' || ascii(b, 0, 2) === 'MZ') return other('an executable program');
  if (s4 === 'RIFF' && ascii(b, 8, 4) === 'WEBP') return other('a WebP image');
  if (s4 === 'RIFF' && ascii(b, 8, 4) === 'AVI ') return other('an AVI video');
  if (s4 === 'RIFX') return unsupportedAudio('big-endian WAV (RIFX)');
  if (s4 === 'MThd') return other('a MIDI file (notes, not recorded audio)');
  if (s4 === '\x1a\x45\xdf\xa3') return unsupportedAudio('Matroska/WebM');
  if (s4 === 'caff') return unsupportedAudio('Core Audio Format (CAF)');
  if (s4 === 'wvpk') return unsupportedAudio('WavPack');
  if (s4 === 'MAC ') return unsupportedAudio("Monkey's Audio (APE)");
  if (s4 === 'TTA1') return unsupportedAudio('TTA');
  if (s4 === 'FRM8' || s4 === 'DSD ') return unsupportedAudio('DSD');
  if (ascii(b, 0, 5) === '#!AMR') return unsupportedAudio('AMR');
  if (s4 === '\x30\x26\xb2\x75') return unsupportedAudio('Windows Media (ASF/WMA)');
  if (b[0] === 0xff && (b[1] & 0xf6) === 0xf0) return unsupportedAudio('raw AAC (ADTS) stream');
  if (looksLikeText(b)) {
    const start = ascii(b, 0, Math.min(64, b.length)).trimStart().toLowerCase();
    if (start.startsWith('<!doctype html') || start.startsWith('<html')) return other('an HTML page');
    if (start.startsWith('<?xml') || start.startsWith('<svg')) return other('an XML or SVG document');
    return other('a text file');
  }
  return 'unrecognised file header: not a supported audio file';
}

function looksLikeText(b: Uint8Array): boolean {
  const n = Math.min(b.length, 512);
  for (let i = 0; i < n; i++) {
    const c = b[i];
    if (c < 0x09 || (c > 0x0d && c < 0x20 && c !== 0x1b) || c === 0x7f) return false;
  }
  return true;
}

/**
 * FormatInfo from the head of a file. `totalBytes` is the full file size; `tail` (the last bytes of the file, a
 * few hundred KB is plenty) lets Ogg files report their length and MP4 files with the moov box at the end be read.
 * When the head alone cannot tell the length, `frames` and `durationSeconds` are NaN. For lossy formats the length
 * is the encoder's claim (gapless-trimmed where the stream says how); the decoder's count is authoritative.
 * Throws AudioFormatError naming what is wrong.
 */
export function probeAudio(head: Uint8Array, totalBytes: number, tail?: Uint8Array): FormatInfo {
  const container = sniffContainer(head);
  switch (container) {
    case null:
      throw new AudioFormatError(describeUnsupported(head));
    case 'wav': {
      const l = parseWavLayout(head, totalBytes);
      return info(l.container, l.codec, l.sampleRate, l.channelCount, l.frames, l.bitsPerSample);
    }
    case 'aiff': {
      const l = parseAiffLayout(head, totalBytes);
      return info(l.container, l.codec, l.sampleRate, l.channelCount, l.frames, l.bitsPerSample);
    }
    case 'flac':
      return probeFlac(head);
    case 'mp3':
      return probeMp3(head, totalBytes);
    case 'ogg':
      return probeOgg(head, tail);
    case 'mp4':
      return probeMp4(head, tail);
  }
}

function info(container: string, codec: string, sampleRate: number, channelCount: number, frames: number, bitsPerSample?: number): FormatInfo {
  assertMasterable(channelCount, sampleRate, `${container.toUpperCase()} file`);
  const result: FormatInfo = { container, codec, sampleRate, channelCount, frames, durationSeconds: frames / sampleRate };
  if (bitsPerSample !== undefined) result.bitsPerSample = bitsPerSample;
  return result;
}

function probeFlac(head: Uint8Array): FormatInfo {
  const p = skipId3v2(head) + 4;
  if (p + 4 + 34 > head.length) throw new AudioFormatError('truncated FLAC: the stream header is cut off');
  if ((head[p] & 0x7f) !== 0) throw new AudioFormatError('corrupt FLAC: first metadata block is not STREAMINFO');
  const s = p + 4 + 10;
  const sampleRate = (head[s] << 12) | (head[s + 1] << 4) | (head[s + 2] >> 4);
  const channelCount = ((head[s + 2] >> 1) & 7) + 1;
  const bits = (((head[s + 2] & 1) << 4) | (head[s + 3] >> 4)) + 1;
  const total = (head[s + 3] & 0x0f) * 2 ** 32 + new DataView(head.buffer, head.byteOffset).getUint32(s + 4, false);
  // 0 total samples means "unknown" (streamed encoders).
  return info('flac', 'flac', sampleRate, channelCount, total > 0 ? total : NaN, bits);
}

function probeMp3(head: Uint8Array, totalBytes: number): FormatInfo {
  const start = skipId3v2(head);
  if (start + 4 > head.length) {
    // A tag (usually cover art) longer than the head: MP3 by convention, details unknown until decoded.
    return { container: 'mp3', codec: 'mp3', sampleRate: NaN, channelCount: NaN, frames: NaN, durationSeconds: NaN };
  }
  const found = findFirstMpegFrame(head, start, 64 * 1024);
  if (!found) throw new AudioFormatError('corrupt MP3: no MPEG audio frame found');
  const { header, offset } = found;
  const codec = header.layer === 3 ? 'mp3' : `mp${header.layer}`;
  const xing = readXingInfo(head, offset, header);
  let frames: number;
  if (xing?.frames != null) {
    const delay = xing.encoderDelay != null ? xing.encoderDelay : MP3_DECODER_DELAY;
    frames = xing.frames * header.samplesPerFrame - delay - (xing.encoderPadding ?? 0);
  } else {
    // CBR without an info frame: estimate from the bitrate.
    const seconds = ((totalBytes - offset) * 8) / (header.bitrateKbps * 1000);
    frames = Math.round(seconds * header.sampleRate);
  }
  return info('mp3', codec, header.sampleRate, header.channelCount, Math.max(0, frames));
}

function probeOgg(head: Uint8Array, tail?: Uint8Array): FormatInfo {
  if (head.length < 28) throw new AudioFormatError('truncated Ogg: the first page is cut off');
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const serial = view.getUint32(14, true);
  const segments = head[26];
  const packet = 27 + segments;
  if (packet + 19 > head.length) throw new AudioFormatError('truncated Ogg: the stream header is cut off');
  const lastGranule = tail ? lastOggGranule(tail, serial) : null;
  if (ascii(head, packet, 7) === '\x01vorbis') {
    const channelCount = head[packet + 11];
    const sampleRate = view.getUint32(packet + 12, true);
    return info('ogg', 'vorbis', sampleRate, channelCount, lastGranule ?? NaN);
  }
  if (ascii(head, packet, 8) === 'OpusHead') {
    const channelCount = head[packet + 9];
    const preSkip = view.getUint16(packet + 10, true);
    // Opus always decodes at 48 kHz; the input rate field is informational.
    return info('ogg', 'opus', 48000, channelCount, lastGranule != null ? lastGranule - preSkip : NaN);
  }
  if (ascii(head, packet, 5) === '\x7fFLAC') throw new AudioFormatError('FLAC inside Ogg is not supported; use plain .flac');
  if (ascii(head, packet, 8) === 'Speex   ') throw new AudioFormatError('unsupported audio format: Ogg Speex');
  throw new AudioFormatError('Ogg file does not contain Vorbis or Opus audio');
}

function lastOggGranule(tail: Uint8Array, serial: number): number | null {
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  for (let p = tail.length - 27; p >= 0; p--) {
    if (tail[p] !== 0x4f || tail[p + 1] !== 0x67 || tail[p + 2] !== 0x67 || tail[p + 3] !== 0x53) continue;
    if (view.getUint32(p + 14, true) !== serial) continue;
    const lo = view.getUint32(p + 6, true);
    const hi = view.getInt32(p + 10, true);
    if (hi === -1 && lo === 0xffffffff) continue; // no packet ends on this page
    return hi * 2 ** 32 + lo;
  }
  return null;
}

function probeMp4(head: Uint8Array, tail?: Uint8Array): FormatInfo {
  let moov = findMoov(head);
  let bytes = head;
  if (!moov && tail) {
    const t = findMoovInTail(tail);
    if (t) {
      bytes = tail.subarray(t);
      moov = findMoov(bytes);
    }
  }
  if (!moov) {
    // The moov box (the index) is at the end and was not supplied: the container is clear, the details are not.
    return { container: 'mp4', codec: 'unknown', sampleRate: NaN, channelCount: NaN, frames: NaN, durationSeconds: NaN };
  }
  const track = readAudioTrack(bytes, moov);
  assertMasterable(track.channelCount, track.sampleRate, 'MP4 file');
  // The sample table and edit list give the exact gapless length; mdhd's duration would include the priming.
  const frames = Number.isFinite(track.gapless.keepFrames) ? track.gapless.keepFrames : Math.round(track.durationSeconds * track.sampleRate);
  const result: FormatInfo = {
    container: 'mp4',
    codec: track.codec,
    sampleRate: track.sampleRate,
    channelCount: track.channelCount,
    frames,
    durationSeconds: track.durationSeconds,
  };
  if (track.bitsPerSample) result.bitsPerSample = track.bitsPerSample;
  return result;
}

/** Offset in `tail` where a moov box header starts, found by its type and a size that fits. */
function findMoovInTail(tail: Uint8Array): number | null {
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  for (let p = 4; p + 4 <= tail.length; p++) {
    if (tail[p] === 0x6d && tail[p + 1] === 0x6f && tail[p + 2] === 0x6f && tail[p + 3] === 0x76) {
      const size = view.getUint32(p - 4, false);
      if (size >= 8 && p - 4 + size <= tail.length) return p - 4;
    }
  }
  return null;
}
