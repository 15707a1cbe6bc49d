/**
 * Converts interleaved integer/float PCM bytes straight into planar Float32Arrays. One pass, no intermediate
 * interleaved float buffer: a 60-minute 96 kHz stereo file must not need a second copy of itself.
 */

export type PcmSampleFormat = 'uint8' | 'int8' | 'int16' | 'int24' | 'int32' | 'float32' | 'float64';

export function bytesPerSample(format: PcmSampleFormat): number {
  switch (format) {
    case 'uint8':
    case 'int8':
      return 1;
    case 'int16':
      return 2;
    case 'int24':
      return 3;
    case 'int32':
    case 'float32':
      return 4;
    case 'float64':
      return 8;
  }
}

export interface PcmLayout {
  format: PcmSampleFormat;
  littleEndian: boolean;
  channelCount: number;
  /** Bytes from one frame to the next (may exceed channelCount * bytesPerSample for padded layouts). */
  frameStride: number;
}

/** Decodes `frames` frames starting at `offset` of `bytes` into one Float32Array per channel, full scale ±1. */
export function pcmToPlanar(bytes: Uint8Array, offset: number, frames: number, layout: PcmLayout): Float32Array[] {
  const channels = Array.from({ length: layout.channelCount }, () => new Float32Array(frames));
  pcmIntoPlanar(bytes, offset, frames, layout, channels, 0);
  return channels;
}

/**
 * Decodes `frames` frames starting at `offset` of `bytes` into `out` (one array per channel) from frame `outOffset`
 * on: the piece a chunked reader needs to fill one planar output from a file read a few megabytes at a time.
 */
export function pcmIntoPlanar(bytes: Uint8Array, offset: number, frames: number, layout: PcmLayout, out: readonly Float32Array[], outOffset: number): void {
  const width = bytesPerSample(layout.format);
  if (out.length !== layout.channelCount) throw new RangeError(`expected ${layout.channelCount} output channels, got ${out.length}`);
  if (offset + (frames - 1) * layout.frameStride + layout.channelCount * width > bytes.length && frames > 0) {
    throw new RangeError('PCM range runs past the end of the bytes');
  }
  for (let ch = 0; ch < layout.channelCount; ch++) convertChannel(bytes, offset + ch * width, frames, layout, out[ch], outOffset);
}

function convertChannel(b: Uint8Array, start: number, frames: number, layout: PcmLayout, out: Float32Array, o: number): void {
  const stride = layout.frameStride;
  const le = layout.littleEndian;
  const end = o + frames;
  let p = start;
  switch (layout.format) {
    case 'uint8':
      for (let i = o; i < end; i++, p += stride) out[i] = (b[p] - 128) / 128;
      return;
    case 'int8':
      for (let i = o; i < end; i++, p += stride) out[i] = ((b[p] << 24) >> 24) / 128;
      return;
    case 'int16':
      if (le) for (let i = o; i < end; i++, p += stride) out[i] = (((b[p] | (b[p + 1] << 8)) << 16) >> 16) / 32768;
      else for (let i = o; i < end; i++, p += stride) out[i] = (((b[p + 1] | (b[p] << 8)) << 16) >> 16) / 32768;
      return;
    case 'int24':
      if (le)
        for (let i = o; i < end; i++, p += stride)
          out[i] = (((b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) << 8) >> 8) / 8388608;
      else
        for (let i = o; i < end; i++, p += stride)
          out[i] = (((b[p + 2] | (b[p + 1] << 8) | (b[p] << 16)) << 8) >> 8) / 8388608;
      return;
    case 'int32': {
      const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      for (let i = o; i < end; i++, p += stride) out[i] = view.getInt32(p, le) / 2147483648;
      return;
    }
    case 'float32': {
      const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      for (let i = o; i < end; i++, p += stride) out[i] = view.getFloat32(p, le);
      return;
    }
    case 'float64': {
      const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      for (let i = o; i < end; i++, p += stride) out[i] = view.getFloat64(p, le);
      return;
    }
  }
}
