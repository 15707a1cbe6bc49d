// Runs a CpuTask in a fresh worker thread and resolves with its result. One thread per task: the WASM heaps of the
// analysis (essentia) and the render's buffers are released with the thread instead of growing the job process.
import { startWorker } from '../../lib/audio/workerThread';
import { AudioFormatError } from '../../lib/audio/types';
import type { CpuReply } from './cpuThread';
import type { AnalyzeTaskResult, CpuTask, ExportFile, MasterTaskResult } from './cpuTasks';


export function runCpuTask(task: Extract<CpuTask, { kind: 'analyze' }>, onProgress?: (fraction: number, step: string) => void, signal?: AbortSignal): Promise<AnalyzeTaskResult>;
export function runCpuTask(task: Extract<CpuTask, { kind: 'master' }>, onProgress?: (fraction: number, step: string) => void, signal?: AbortSignal): Promise<MasterTaskResult>;
export function runCpuTask(task: Extract<CpuTask, { kind: 'export' }>, onProgress?: (fraction: number, step: string) => void, signal?: AbortSignal): Promise<ExportFile[]>;
export function runCpuTask(task: CpuTask, onProgress?: (fraction: number, step: string) => void, signal?: AbortSignal): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const worker = startWorker('cpuThread');
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
      void worker.terminate();
    };
    const onAbort = () => finish(() => reject(new Error('the job was stopped')));
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (reply: CpuReply) => {
      if (reply.type === 'progress') onProgress?.(reply.fraction, reply.step);
      else if (reply.type === 'done') finish(() => resolve(reply.result));
      else finish(() => reject(reply.name === 'AudioFormatError' ? new AudioFormatError(reply.message) : new Error(reply.message)));
    });
    worker.once('error', (error) => finish(() => reject(new Error(`${task.kind} thread crashed: ${error.message}`))));
    worker.once('exit', (code) => finish(() => reject(new Error(`${task.kind} thread exited (code ${code}) without a result`))));
    worker.postMessage(task);
  });
}
