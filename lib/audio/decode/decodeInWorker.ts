/**
 * Runs decodeAudio in a worker thread so a hostile or broken file can only cost that thread: a WASM abort, a heap
 * blow-up or a hang becomes a rejected promise, never a dead web or job process.
 *
 * The worker starts like every worker thread here (../workerThread.ts): from the runtime bundle, or through tsx.
 */
import { startWorker } from '../workerThread';
import { AudioFormatError, type DecodedAudio } from '../types';
import type { DecodeWorkerReply, DecodeWorkerRequest } from './decodeWorker';
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


export function decodeInWorker(bytes: Uint8Array, opts: DecodeInWorkerOptions = {}): Promise<DecodedAudio> {
  const maxHeapMb = opts.maxHeapMb ?? 512;
  const timeoutMs = opts.timeoutMs ?? 5 * 60_000;
  return new Promise<DecodedAudio>((resolve, reject) => {
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
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
      void worker.terminate();
    };
    const timer = setTimeout(
      () => finish(() => reject(new AudioFormatError(`decoding did not finish within ${Math.round(timeoutMs / 1000)} s`))),
      timeoutMs,
    );
    worker.once('message', (reply: DecodeWorkerReply) =>
      finish(() => {
        if (reply.ok) resolve({ sampleRate: reply.sampleRate, channels: reply.channels, format: reply.format });
        else if (reply.name === 'AudioFormatError') reject(new AudioFormatError(reply.message));
        else reject(new Error(`decoder failed: ${reply.message}${firstChatter()}`));
      }),
    );
    worker.once('error', (err: Error & { code?: string }) =>
      finish(() => {
        if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
          reject(new AudioFormatError(`decoding needed more than ${maxHeapMb} MB of memory; the file may be corrupt`));
        } else reject(new Error(`decoder crashed: ${err.message}${firstChatter()}`));
      }),
    );
    worker.once('exit', (code) =>
      finish(() => reject(new Error(`decoder worker exited (code ${code}) without a result${firstChatter()}`))),
    );
    const ownsWholeBuffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    const request: DecodeWorkerRequest = { bytes, limits: opts.limits };
    if (opts.transferInput && ownsWholeBuffer && bytes.buffer instanceof ArrayBuffer) {
      worker.postMessage(request, [bytes.buffer]);
    } else {
      worker.postMessage(request);
    }
  });
}
