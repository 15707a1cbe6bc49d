/**
 * Ogg Vorbis straight through @audio/decode-vorbis's libvorbis WASM, without its JS layer. That layer (codec-parser
 * page objects, one Float32Array per packet and channel, then a join per chunk and another in our accumulator) cost
 * about a third of the decode; here we split the Ogg pages ourselves, copy each packet's bytes into the WASM input
 * buffer and each packet's PCM from the WASM heap straight into planar output sized from the last page's granule.
 *
 * The WASM exports (create_decoder, send_setup, init_dsp, decode_packets) and the input/output cells are reached
 * through the package's own decoder object, so its instantiation and memory layout stay the package's business; if
 * those internals ever change shape, or the stream is something this reader does not handle (chained or multiplexed
 * streams, surround channel orders, oversized packets), we return `null` and the caller uses the package's own path.
 */

export interface VorbisDirectResult {
  sampleRate: number;
  /** The decoded samples; empty when they went to a sink. */
  channels: Float32Array[];
  /** Frames decoded (the channels' length, or what the sink received). */
  frames: number;
  /** Messages libvorbis reported (any of them means the stream is damaged). */
  errors: string[];
}

/**
 * Where a streamed decode's samples go instead of one planar output: `write` gets views of the decoder's own memory,
 * valid only during the call. Frames past the stream's end (the last page's granule) are never written.
 */
export interface VorbisSink {
  /** `expectedFrames`: the length the caller's probe found (NaN when unknown). */
  start(sampleRate: number, channelCount: number, expectedFrames: number): void;
  write(channels: readonly Float32Array[], frames: number): void;
}

interface Cell {
  ptr: number;
}
/** The parts of @wasm-audio-decoders' Decoder object we drive (see node_modules/@audio/decode-vorbis). */
interface PackageCodec {
  _decoder: number;
  _input: Cell & { len: number };
  _inputLen: Cell;
  _outputBufferPtr: Cell;
  _channels: Cell;
  _sampleRate: Cell;
  _samplesDecoded: Cell;
  _errors: Cell;
  _errorsLength: Cell;
  _common: {
    wasm: {
      HEAP: ArrayBuffer;
      send_setup(decoder: number, firstPage: number | boolean): void;
      init_dsp(decoder: number): void;
      decode_packets(decoder: number): void;
    };
  };
}

const OGG_HEADER_BYTES = 27;
const FLAG_CONTINUED = 1;
const FLAG_FIRST = 2;
const FLAG_LAST = 4;
/** libvorbis returns at most blocksize1/2 (≤ 4096) new samples per packet; leave room for the last one's overshoot. */
const OUTPUT_SLACK_FRAMES = 8192;
const MAX_REPORTED_ERRORS = 16;

/** Thrown inside the reader for streams we leave to the package's own decoder. */
class Unsupported extends Error {}

function packageCodec(upstream: unknown): PackageCodec | null {
  const codec = (upstream as { _decoder?: Partial<PackageCodec> })._decoder;
  const wasm = codec?._common?.wasm;
  const cells = [codec?._input, codec?._inputLen, codec?._outputBufferPtr, codec?._channels, codec?._sampleRate, codec?._samplesDecoded, codec?._errors, codec?._errorsLength];
  if (!codec || typeof codec._decoder !== 'number' || !wasm || !(wasm.HEAP instanceof ArrayBuffer)) return null;
  if (typeof wasm.send_setup !== 'function' || typeof wasm.init_dsp !== 'function' || typeof wasm.decode_packets !== 'function') return null;
  if (cells.some((cell) => !cell || typeof cell.ptr !== 'number') || typeof codec._input?.len !== 'number') return null;
  return codec as PackageCodec;
}

/**
 * Decodes a whole Ogg Vorbis file. `expectedFrames` (the probe's last granule, or NaN) sizes the output; a wrong
 * value only costs a reallocation. Returns null when the stream needs the package's general path. Throws on
 * streams that are broken beyond what libvorbis reports as errors (WASM traps on garbage).
 */
export async function decodeVorbisDirect(
  bytes: Uint8Array,
  expectedFrames: number,
  cap: { maxFrames: number; tooLong: (frames: number) => Error } = { maxFrames: Infinity, tooLong: (f) => new RangeError(`more than ${f} frames`) },
  sink?: VorbisSink,
): Promise<VorbisDirectResult | null> {
  // Loaded on first use: the CLI and the workers decode most Ogg Vorbis with ffmpeg (ffmpegVorbis.ts), which needs only
  // isSingleLogicalStream from here, and evaluating the package (its WASM embedded as text) cost each thread ~10 ms.
  const upstream = await (await import('@audio/decode-vorbis')).decoder();
  try {
    const codec = packageCodec(upstream);
    if (!codec) return null;
    return decodeWith(codec, bytes, expectedFrames, cap, sink);
  } catch (e) {
    if (e instanceof Unsupported) return null;
    throw e;
  } finally {
    upstream.free();
  }
}

function decodeWith(codec: PackageCodec, bytes: Uint8Array, expectedFrames: number, cap: { maxFrames: number; tooLong: (frames: number) => Error }, sink?: VorbisSink): VorbisDirectResult {
  const { wasm } = codec._common;
  const handle = codec._decoder;
  const heap = wasm.HEAP;
  const heapU8 = new Uint8Array(heap);
  const heapU32 = new Uint32Array(heap);
  const heapF32 = new Float32Array(heap);
  const inputPtr = codec._input.ptr;
  const inputCapacity = codec._input.len;
  const inputLenIndex = codec._inputLen.ptr >> 2;
  const samplesIndex = codec._samplesDecoded.ptr >> 2;
  const outputIndex = codec._outputBufferPtr.ptr >> 2;
  const errorsIndex = codec._errors.ptr >> 2;
  const errorsLengthIndex = codec._errorsLength.ptr >> 2;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  const errors: string[] = [];
  const cString = (ptr: number) => {
    let end = ptr;
    while (end < heapU8.length && heapU8[end] !== 0) end++;
    return String.fromCharCode(...heapU8.subarray(ptr, Math.min(end, ptr + 200)));
  };
  const collectErrors = () => {
    const count = heapU32[errorsLengthIndex];
    if (count === 0) return;
    // The C side stores (function name, description) pairs of string pointers.
    for (let i = 0; i + 1 < count && errors.length < MAX_REPORTED_ERRORS; i += 2) {
      errors.push(`${cString(heapU32[errorsIndex + i + 1])} (${cString(heapU32[errorsIndex + i])})`);
    }
    heapU32[errorsLengthIndex] = 0;
  };

  let packetIndex = 0;
  let packetBytes = 0;
  let channelCount = 0;
  let sampleRate = 0;
  let output: Float32Array[] = [];
  const packetViews: Float32Array[] = [];
  let written = 0;
  /** Frames handed to the sink. */
  let emitted = 0;
  let endGranule = -1;

  const ensureCapacity = (frames: number) => {
    if (written + frames > cap.maxFrames) throw cap.tooLong(written + frames);
    if (written + frames <= output[0].length) return;
    const capacity = Math.min(Math.max(written + frames, Math.ceil(output[0].length * 1.5)), cap.maxFrames);
    output = output.map((channel) => {
      const grown = new Float32Array(capacity);
      grown.set(channel.subarray(0, written));
      return grown;
    });
  };

  const finishPacket = () => {
    heapU32[inputLenIndex] = packetBytes;
    if (packetIndex < 3) {
      // Identification (with the beginning-of-stream flag) and setup. The package's libvorbis build is fed exactly
      // what its own JS feeds it: giving it the comment header too makes it reject the setup header.
      if (packetIndex !== 1) wasm.send_setup(handle, packetIndex === 0 ? 1 : 0);
      if (packetIndex === 2) {
        wasm.init_dsp(handle);
        channelCount = heapU32[codec._channels.ptr >> 2];
        sampleRate = heapU32[codec._sampleRate.ptr >> 2];
        if (channelCount < 1 || channelCount > 2) throw new Unsupported();
        if (sink) sink.start(sampleRate, channelCount, expectedFrames);
        else {
          const frames = Math.min(Number.isFinite(expectedFrames) && expectedFrames > 0 ? expectedFrames : 1 << 20, cap.maxFrames);
          output = Array.from({ length: channelCount }, () => new Float32Array(frames + OUTPUT_SLACK_FRAMES));
        }
      }
      collectErrors();
    } else if (packetBytes > 0) {
      // A zero-length audio packet carries nothing and is to be skipped (the Vorbis I spec says to ignore it).
      wasm.decode_packets(handle);
      collectErrors();
      const frames = heapU32[samplesIndex];
      if (frames > 0 && sink) {
        if (written + frames > cap.maxFrames) throw cap.tooLong(written + frames);
        // The final packet decodes past the stream's end: the sink never sees those frames.
        const keep = endGranule >= 0 ? Math.max(0, Math.min(frames, endGranule - written)) : frames;
        const pointers = heapU32[outputIndex] >> 2;
        if (keep > 0) {
          // One array of views for the whole stream (the sink reads them during the call only).
          for (let ch = 0; ch < channelCount; ch++) {
            const start = heapU32[pointers + ch] >> 2;
            packetViews[ch] = heapF32.subarray(start, start + keep);
          }
          sink.write(packetViews, keep);
          emitted += keep;
        }
        written += frames;
      } else if (frames > 0) {
        ensureCapacity(frames);
        const pointers = heapU32[outputIndex] >> 2;
        for (let ch = 0; ch < channelCount; ch++) {
          const start = heapU32[pointers + ch] >> 2;
          output[ch].set(heapF32.subarray(start, start + frames), written);
        }
        written += frames;
      }
    }
    packetIndex++;
    packetBytes = 0;
  };

  const appendToPacket = (start: number, length: number) => {
    if (packetBytes + length > inputCapacity) throw new Unsupported();
    heapU8.set(bytes.subarray(start, start + length), inputPtr + packetBytes);
    packetBytes += length;
  };

  // Chained or multiplexed files are the general decoder's business, and that must be known before any sample reaches
  // a sink (the whole stream would otherwise be decoded twice).
  if (!isSingleLogicalStream(bytes)) throw new Unsupported();

  for (const { start: p, flags, bodyStart, bodyEnd, resynced } of oggPages(bytes)) {
    // After lost sync (damage), the packet that was being assembled is dropped.
    if (resynced || !(flags & FLAG_CONTINUED)) packetBytes = 0;
    if (flags & FLAG_LAST) {
      // Known before this page's packets are decoded, so a sink never receives frames past the end.
      const lo = view.getUint32(p + 6, true);
      const hi = view.getInt32(p + 10, true);
      if (!(hi === -1 && lo === 0xffffffff)) endGranule = hi * 2 ** 32 + lo;
    }
    let segmentStart = bodyStart;
    let runStart = bodyStart;
    for (let i = p + OGG_HEADER_BYTES; i < bodyStart; i++) {
      const lacing = bytes[i];
      segmentStart += lacing;
      if (lacing < 255) {
        appendToPacket(runStart, segmentStart - runStart);
        finishPacket();
        runStart = segmentStart;
      }
    }
    // A packet continuing on the next page.
    if (runStart < bodyEnd) appendToPacket(runStart, bodyEnd - runStart);
    // The logical stream ends here. Pages some encoders leave after it under the same serial (more pages flagged as
    // the last, with later granules) are not part of it: libvorbisfile, and the package's decoder, stop here too.
    if (flags & FLAG_LAST) break;
  }

  if (packetIndex < 3) return { sampleRate, channels: [], frames: 0, errors };
  // The last page's granule says where the stream ends; the final packet decodes past it.
  const frames = endGranule >= 0 ? Math.min(written, endGranule) : written;
  if (sink) return { sampleRate, channels: [], frames: emitted, errors };
  const channels = output.map((channel) => {
    const view = channel.subarray(0, frames);
    // Same rule as PlanarAccumulator.take: copy only when the slack is a noticeable share of the buffer.
    return channel.length - frames > frames >> 5 ? view.slice() : view;
  });
  return { sampleRate, channels, frames, errors };
}

interface OggPage {
  start: number;
  flags: number;
  serial: number;
  bodyStart: number;
  bodyEnd: number;
  /** Bytes before this page were skipped to find it (lost sync). */
  resynced: boolean;
}

/** The complete pages in order, past damage to the next capture pattern; a page cut off by the end is not one. */
function* oggPages(bytes: Uint8Array): Generator<OggPage> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let resynced = false;
  for (let p = 0; p + OGG_HEADER_BYTES <= bytes.length; ) {
    if (bytes[p] !== 0x4f || bytes[p + 1] !== 0x67 || bytes[p + 2] !== 0x67 || bytes[p + 3] !== 0x53 || bytes[p + 4] !== 0) {
      p = nextCapture(bytes, p + 1);
      resynced = true;
      continue;
    }
    const bodyStart = p + OGG_HEADER_BYTES + bytes[p + 26];
    if (bodyStart > bytes.length) return;
    let bodyEnd = bodyStart;
    for (let i = p + OGG_HEADER_BYTES; i < bodyStart; i++) bodyEnd += bytes[i];
    if (bodyEnd > bytes.length) return;
    yield { start: p, flags: bytes[p + 5], serial: view.getUint32(p + 14, true), bodyStart, bodyEnd, resynced };
    resynced = false;
    p = bodyEnd;
  }
}

/** One logical stream: the first page begins it, and no later page begins another or carries another serial. */
export function isSingleLogicalStream(bytes: Uint8Array): boolean {
  let serial: number | null = null;
  for (const page of oggPages(bytes)) {
    if (serial === null) {
      if (!(page.flags & FLAG_FIRST)) return false;
      serial = page.serial;
    } else if (page.serial !== serial || page.flags & FLAG_FIRST) {
      return false;
    }
  }
  return true;
}

function nextCapture(bytes: Uint8Array, from: number): number {
  for (let k = from; k + 4 <= bytes.length; k++) {
    if (bytes[k] === 0x4f && bytes[k + 1] === 0x67 && bytes[k + 2] === 0x67 && bytes[k + 3] === 0x53) return k;
  }
  return bytes.length;
}
