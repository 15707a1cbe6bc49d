/**
 * The main-thread side of chainWorker.ts: one long-lived worker thread (started early so its module loading overlaps
 * decoding and analysis), tasks answered in order. Started like every worker thread here (lib/audio/workerThread.ts).
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '@/lib/audio/workerThread';
import { AudioFormatError } from '@/lib/audio/types';
import type { ChainReply, ChainTask } from './chainWorker';

export class ChainWorker {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private failure: Error | null = null;
  private closing = false;

  constructor() {
    this.worker = startWorker('chainWorker');
    // An idle worker must not keep the process alive.
    this.worker.unref();
    this.worker.on('message', (reply: ChainReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      // Not once closing: terminate() refs the worker until it has exited, and a reply already on its way would undo
      // that here, leaving the main loop empty with close() still pending (the process then exits with code 13,
      // "unsettled top-level await", before saying anything).
      if (this.pending.size === 0 && !this.closing) this.worker.unref();
      if (reply.ok) p.resolve(reply.result);
      // A decode refusal keeps its class so callers can tell bad input from a failure.
      else p.reject(reply.name === 'AudioFormatError' ? new AudioFormatError(reply.message) : new Error(`chain worker: ${reply.message}`));
    });
    const fail = (error: Error) => {
      this.failure = error;
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
    this.worker.on('error', (e) => fail(new Error(`chain worker crashed: ${e.message}`)));
    this.worker.on('exit', (code) => fail(new Error(`chain worker exited (code ${code})`)));
  }

  run<T>(task: ChainTask, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.ref();
      this.worker.postMessage({ id, task }, transfer);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }
}
