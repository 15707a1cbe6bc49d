/**
 * Runs decodeAudio in a worker thread so a hostile or broken file can only cost that thread: a WASM abort, a heap
 * blow-up or a hang becomes a rejected promise, never a dead web or job process.
 *
 * The worker starts like every worker thread here (../workerThread.ts): from the runtime bundle, or through tsx.
 */
import { startWorker } from '../workerThread';
import { AudioFormatError, type DecodedAudio } from '../types';
import type { DecodeWorkerReply } from './decodeWorker';

export interface DecodeInWorkerOptions {
  /** Cap on the worker's JS heap. PCM lives in ArrayBuffers outside it; this catches runaway object growth. */
  maxHeapMb?: number;
  timeoutMs?: number;
  /** Move `bytes` into the worker instead of copying it; the caller's array is unusable afterwards. */
  transferInput?: boolean;
}


export function decodeInWorker(bytes: Uint8Array, opts: DecodeInWorkerOptions = {}): Promise<DecodedAudio> {
  const maxHeapMb = opts.maxHeapMb ?? 512;
  const timeoutMs = opts.timeoutMs ?? 5 * 60_000;
  return new Promise<DecodedAudio>((resolve, reject) => {
    let settled = false;
    const worker = startWorker('decodeWorker', {
      resourceLimits: { maxOldGenerationSizeMb: maxHeapMb, maxYoungGenerationSizeMb: 64 },
      stderr: false,
    });
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
        else reject(new Error(`decoder failed: ${reply.message}`));
      }),
    );
    worker.once('error', (err: Error & { code?: string }) =>
      finish(() => {
        if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
          reject(new AudioFormatError(`decoding needed more than ${maxHeapMb} MB of memory; the file may be corrupt`));
        } else reject(new Error(`decoder crashed: ${err.message}`));
      }),
    );
    worker.once('exit', (code) =>
      finish(() => reject(new Error(`decoder worker exited (code ${code}) without a result`))),
    );
    const ownsWholeBuffer = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    if (opts.transferInput && ownsWholeBuffer && bytes.buffer instanceof ArrayBuffer) {
      worker.postMessage(bytes, [bytes.buffer]);
    } else {
      worker.postMessage(bytes);
    }
  });
}
