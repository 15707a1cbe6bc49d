// Worker-thread entry: runs one CpuTask, posting progress, then the result (big byte arrays transferred, not
// copied). Errors travel as {name, message}: class identity does not survive structured cloning.
import { parentPort } from 'node:worker_threads';
import { analyzeTask, exportTask, masterTask, type CpuTask } from './cpuTasks';

export type CpuReply =
  | { type: 'progress'; fraction: number; step: string }
  | { type: 'done'; result: unknown }
  | { type: 'error'; name: string; message: string };

const port = parentPort;
if (!port) throw new Error('cpuThread must run in a worker thread');

port.once('message', async (task: CpuTask) => {
  const progress = (fraction: number, step: string) => port.postMessage({ type: 'progress', fraction, step } satisfies CpuReply);
  try {
    if (task.kind === 'analyze') {
      const result = await analyzeTask(task.filePath, progress);
      port.postMessage({ type: 'done', result } satisfies CpuReply, [result.peaks.buffer as ArrayBuffer]);
    } else if (task.kind === 'export') {
      const result = await exportTask(task, progress);
      port.postMessage({ type: 'done', result } satisfies CpuReply, [...new Set(result.map((r) => r.file.buffer as ArrayBuffer))]);
    } else {
      const result = await masterTask(task, progress);
      const transfer = [...new Set([result.file.buffer, result.peaks.buffer])] as ArrayBuffer[];
      port.postMessage({ type: 'done', result } satisfies CpuReply, transfer);
    }
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    port.postMessage({ type: 'error', name: err.name, message: err.message } satisfies CpuReply);
  }
});
