/**
 * Runs decodeAudio in a worker thread so a hostile or broken file can only cost that thread: a WASM abort, a heap
 * blow-up or a hang becomes a rejected promise, never a dead web or job process.
 *
 * The worker starts like every worker thread here (../workerThread.ts): from the runtime bundle, or through tsx.
 */
import { startWorker } from '../workerThread';
import { AudioFormatError, type DecodedAudio, type FormatInfo } from '../types';
import type { DecodeWorkerReply, DecodeWorkerRequest, DecodeWorkerStart } from './decodeWorker';
import { createRingControl, RingReader } from './sampleRing';
import type { DecodeLimits } from './limits';

export interface DecodeInWorkerOptions {
  /** Cap on the worker's JS heap. PCM lives in ArrayBuffers outside it; this catches runaway object growth. */
  maxHeapMb?: number;
  timeoutMs?: number;
  /** Move `bytes` into the worker instead of copying it; the caller's array is unusable afterwards. */
  transferInput?: boolean;
  /** Output limits (duration, bytes of samples): what actually bounds the memory of a decode (see limits.ts). */
  limits?: DecodeLimits;
}

/** What a streamed decode tells its consumer: the stream's shape, then its samples in order. */
export interface DecodeStreamConsumer {
  /** `expectedFrames`: the header's length, a hint for sizing (NaN when unknown). */
  start(sampleRate: number, channelCount: number, expectedFrames: number): void | Promise<void>;
  /** `channels` are views valid during the call only. */
  samples(channels: Float32Array[], frames: number): void;
}

export type DecodeStreamResult =
  /** The samples went to the consumer. */
  | { streamed: true; format: FormatInfo }
  /** Decoded whole (WAV, AIFF, or a Vorbis stream the direct reader leaves to the general decoder): the consumer got
   * nothing, or (`restarted`) something it must discard. */
  | { streamed: false; restarted: boolean; decoded: DecodedAudio };

export function decodeInWorker(bytes: Uint8Array, opts: DecodeInWorkerOptions = {}): Promise<DecodedAudio> {
  return runDecodeWorker(bytes, opts).then((result) => {
    if (result.streamed) throw new Error('decoder streamed without a ring');
    return result.decoded;
  });
}

/**
 * FLAC, MP3, Ogg Vorbis and Opus decoded in the worker and streamed to `consumer` on this thread through a shared ring
 * as they decode, so decoding and what the consumer does run on two cores at once and no whole-track buffer exists;
 * everything else decoded whole in the worker, as decodeInWorker does.
 */
export function decodeStreamInWorker(bytes: Uint8Array, consumer: DecodeStreamConsumer, opts: DecodeInWorkerOptions = {}): Promise<DecodeStreamResult> {
  return runDecodeWorker(bytes, opts, consumer);
}

function runDecodeWorker(bytes: Uint8Array, opts: DecodeInWorkerOptions, consumer?: DecodeStreamConsumer): Promise<DecodeStreamResult> {
  const maxHeapMb = opts.maxHeapMb ?? 512;
  const timeoutMs = opts.timeoutMs ?? 5 * 60_000;
  return new Promise<DecodeStreamResult>((resolve, reject) => {
    let settled = false;
    const worker = startWorker('decodeWorker', {
      resourceLimits: { maxOldGenerationSizeMb: maxHeapMb, maxYoungGenerationSizeMb: 64 },
      // The WASM decoders chat on the console ("mpg123-decoder: -1 MPG123_ERR" for a damaged frame). Left to
      // inherit, that lands on the CLI's stderr next to its one-line reason; keep the start of it for crash reports.
      stdout: true,
      stderr: true,
    });
    let chatter = '';
    const keep = (chunk: Buffer | string) => {
      if (chatter.length < 2000) chatter += String(chunk);
    };
    worker.stdout.on('data', keep);
    worker.stderr.on('data', keep);
    const firstChatter = () => {
      const line = chatter.split('\n').find((l) => l.trim());
      return line ? ` (decoder said: ${line.trim().slice(0, 200)})` : '';
    };
    const ringControl = consumer ? createRingControl() : undefined;
    let reader: RingReader | undefined;
    /** Resolves when the ring has been read to its end (or abandoned); the worker's reply waits for it. */
    let draining: Promise<'done' | 'failed'> = Promise.resolve('done');
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reader?.cancel();
      fn();
      void worker.terminate();
    };
    const fail = (error: Error) => finish(() => reject(error));
    const timer = setTimeout(() => fail(new AudioFormatError(`decoding did not finish within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    worker.on('message', (message: DecodeWorkerReply | DecodeWorkerStart) => {
      if ('start' in message) {
        if (!consumer || !ringControl) return fail(new Error('decoder streamed without a ring'));
        reader = new RingReader(ringControl, message.ringData);
        const ring = reader;
        draining = Promise.resolve(consumer.start(message.sampleRate, message.channelCount, message.expectedFrames))
          .then(() => ring.drain((channels, frames) => consumer.samples(channels, frames), () => settled))
          .catch((error: Error) => {
            fail(error);
            return 'failed' as const;
          });
        return;
      }
      const reply = message;
      // Every streamed slot is consumed before the result counts (the reply can overtake the last slots).
      void draining.then(() =>
        finish(() => {
          if (!reply.ok) {
            if (reply.name === 'AudioFormatError') reject(new AudioFormatError(reply.message));
            else reject(new Error(`decoder failed: ${reply.message}${firstChatter()}`));
          } else if (reply.streamed) resolve({ streamed: true, format: reply.format });
          else resolve({ streamed: false, restarted: reply.restart === true, decoded: { sampleRate: reply.sampleRate, channels: reply.channels, format: reply.format } });
        }),
      );
    });
    worker.once('error', (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        fail(new AudioFormatError(`decoding needed more than ${maxHeapMb} MB of memory; the file may be corrupt`));
      } else fail(new Error(`decoder crashed: ${err.message}${firstChatter()}`));
    });
    worker.once('exit', (code) => {
      // A reply already posted is delivered before 'exit'; give a pending drain its turn before calling this a crash.
      void draining.then(() => fail(new Error(`decoder worker exited (code ${code}) without a result${firstChatter()}`)));
    });
    const ownsWholeBuffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    const request: DecodeWorkerRequest = { bytes, limits: opts.limits, ringControl };
    if (opts.transferInput && ownsWholeBuffer && bytes.buffer instanceof ArrayBuffer) {
      worker.postMessage(request, [bytes.buffer]);
    } else {
      worker.postMessage(request);
    }
  });
}
