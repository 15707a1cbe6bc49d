/**
 * Waveform overview peaks for the player, computed once at analysis time: min/max pairs per channel at several
 * zoom levels. The finest level is one pass over the samples; each coarser level folds the previous one, so extra
 * zoom levels cost almost nothing.
 */
import type { PcmAudio } from './types';

export const DEFAULT_SAMPLES_PER_PIXEL = [256, 1024, 4096, 16384] as const;

export interface PeakLevel {
  samplesPerPixel: number;
  /** Pixels per channel. */
  length: number;
  /** Per channel: interleaved [min0, max0, min1, max1, ...], values in [-1, 1]. */
  channels: Float32Array[];
}

export interface WaveformPeaks {
  sampleRate: number;
  frames: number;
  levels: PeakLevel[];
}

export function computePeaks(pcm: PcmAudio, samplesPerPixel: readonly number[] = DEFAULT_SAMPLES_PER_PIXEL): WaveformPeaks {
  return peaksFromFinestLevel(pcm, samplesPerPixel);
}

/**
 * Like computePeaks, but the finest level may come precomputed (from the fused level scan, which must have built it
 * exactly as scanLevel does: clamped min/max per pixel); coarser levels fold it.
 */
/** `frames` overrides the signal's length when `pcm` carries no samples (a streamed scan that kept only `finest`). */
export function peaksFromFinestLevel(pcm: PcmAudio, samplesPerPixel: readonly number[], finest?: PeakLevel, frames = pcm.channels[0]?.length ?? 0): WaveformPeaks {
  const sorted = [...new Set(samplesPerPixel)].sort((a, b) => a - b);
  if (sorted.length === 0 || sorted.some((spp) => !Number.isInteger(spp) || spp < 1)) {
    throw new RangeError('samplesPerPixel must be positive integers');
  }
  if (finest && finest.samplesPerPixel !== sorted[0]) throw new RangeError('precomputed level is not the finest one');
  const levels: PeakLevel[] = [];
  let previous: PeakLevel | undefined;
  for (const spp of sorted) {
    const level: PeakLevel = !previous && finest ? finest : previous && spp % previous.samplesPerPixel === 0
      ? foldLevel(previous, spp, frames)
      : scanLevel(pcm, spp);
    levels.push(level);
    previous = level;
  }
  return { sampleRate: pcm.sampleRate, frames, levels };
}

function scanLevel(pcm: PcmAudio, spp: number): PeakLevel {
  const frames = pcm.channels[0]?.length ?? 0;
  const length = Math.ceil(frames / spp);
  const channels = pcm.channels.map((samples) => {
    const out = new Float32Array(2 * length);
    for (let p = 0; p < length; p++) {
      let min = Infinity;
      let max = -Infinity;
      const end = Math.min(frames, (p + 1) * spp);
      for (let i = p * spp; i < end; i++) {
        const v = samples[i];
        if (v < min) min = v;
        if (v > max) max = v;
      }
      out[2 * p] = clampUnit(min);
      out[2 * p + 1] = clampUnit(max);
    }
    return out;
  });
  return { samplesPerPixel: spp, length, channels };
}

function foldLevel(finer: PeakLevel, spp: number, frames: number): PeakLevel {
  const factor = spp / finer.samplesPerPixel;
  const length = Math.ceil(frames / spp);
  const channels = finer.channels.map((fine) => {
    const out = new Float32Array(2 * length);
    for (let p = 0; p < length; p++) {
      let min = Infinity;
      let max = -Infinity;
      const end = Math.min(finer.length, (p + 1) * factor);
      for (let j = p * factor; j < end; j++) {
        if (fine[2 * j] < min) min = fine[2 * j];
        if (fine[2 * j + 1] > max) max = fine[2 * j + 1];
      }
      out[2 * p] = min;
      out[2 * p + 1] = max;
    }
    return out;
  });
  return { samplesPerPixel: spp, length, channels };
}

/** Clipped files exceed ±1 in float; the overview only needs to show that they hit the rail. */
function clampUnit(value: number): number {
  return value > 1 ? 1 : value < -1 ? -1 : value;
}

/*
 * Binary form (little-endian), 16-bit so a 4-minute stereo track at 4 levels is about 0.9 MB:
 *   "MRPK" | u16 version=1 | u16 channels | u32 sampleRate | u32 frames | u16 levelCount | u16 reserved
 *   per level: u32 samplesPerPixel | u32 length
 *   then per level, per channel: Int16[2*length] interleaved min/max, scaled by 32767.
 */
const MAGIC = 0x4b50524d; // "MRPK" read as little-endian u32
const VERSION = 1;

export function serializePeaks(peaks: WaveformPeaks): Uint8Array {
  const channelCount = peaks.levels[0]?.channels.length ?? 0;
  const headerBytes = 20 + 8 * peaks.levels.length;
  let dataBytes = 0;
  for (const level of peaks.levels) dataBytes += channelCount * level.length * 4;
  const bytes = new Uint8Array(headerBytes + dataBytes);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint16(4, VERSION, true);
  view.setUint16(6, channelCount, true);
  view.setUint32(8, peaks.sampleRate, true);
  view.setUint32(12, peaks.frames, true);
  view.setUint16(16, peaks.levels.length, true);
  let offset = 20;
  for (const level of peaks.levels) {
    view.setUint32(offset, level.samplesPerPixel, true);
    view.setUint32(offset + 4, level.length, true);
    offset += 8;
  }
  for (const level of peaks.levels) {
    for (const channel of level.channels) {
      for (let i = 0; i < channel.length; i++) {
        view.setInt16(offset, Math.round(channel[i] * 32767), true);
        offset += 2;
      }
    }
  }
  return bytes;
}

export function deserializePeaks(bytes: Uint8Array): WaveformPeaks {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 20 || view.getUint32(0, true) !== MAGIC) throw new Error('not a peaks file');
  if (view.getUint16(4, true) !== VERSION) throw new Error(`unsupported peaks version ${view.getUint16(4, true)}`);
  const channelCount = view.getUint16(6, true);
  const sampleRate = view.getUint32(8, true);
  const frames = view.getUint32(12, true);
  const levelCount = view.getUint16(16, true);
  let offset = 20;
  const shapes: { samplesPerPixel: number; length: number }[] = [];
  for (let l = 0; l < levelCount; l++) {
    shapes.push({ samplesPerPixel: view.getUint32(offset, true), length: view.getUint32(offset + 4, true) });
    offset += 8;
  }
  const levels = shapes.map(({ samplesPerPixel, length }) => {
    const channels: Float32Array[] = [];
    for (let c = 0; c < channelCount; c++) {
      const out = new Float32Array(2 * length);
      for (let i = 0; i < out.length; i++) {
        out[i] = view.getInt16(offset, true) / 32767;
        offset += 2;
      }
      channels.push(out);
    }
    return { samplesPerPixel, length, channels };
  });
  if (offset !== bytes.byteLength) throw new Error('peaks file has the wrong length');
  return { sampleRate, frames, levels };
}

/**
 * JSON for wavesurfer.js 8: pass `peaks` and `duration` to WaveSurfer.create (or load(url, peaks, duration)).
 * Each channel array interleaves min and max, which wavesurfer draws as the envelope when it takes the extremes of
 * each pixel's slice.
 */
export interface WavesurferPeaksJson {
  version: 1;
  sampleRate: number;
  samplesPerPixel: number;
  duration: number;
  peaks: number[][];
}

export function peaksToWavesurferJson(peaks: WaveformPeaks, samplesPerPixel: number): WavesurferPeaksJson {
  const level = peaks.levels.find((candidate) => candidate.samplesPerPixel === samplesPerPixel);
  if (!level) throw new RangeError(`no peaks level with ${samplesPerPixel} samples per pixel`);
  return {
    version: 1,
    sampleRate: peaks.sampleRate,
    samplesPerPixel,
    duration: peaks.frames / peaks.sampleRate,
    peaks: level.channels.map((channel) => Array.from(channel, (v) => Math.round(v * 10000) / 10000)),
  };
}
