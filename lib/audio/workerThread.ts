/**
 * How this code base starts one of its TypeScript modules in a worker thread. Run from the prebuilt runtime bundle
 * (scripts/runtimeBundle.mjs: what `npx mastering` uses), each thread entry is a plain .mjs next to the running code.
 * Run through tsx (the server, tests), a worker does not inherit the loader, so it starts at a bootstrap that
 * registers tsx inside the thread and then imports the .ts entry. The bundle matters: tsx's loader costs every thread
 * ~35 MB and a few hundred ms of start-up.
 */
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

declare const __MASTERING_BUNDLE__: boolean | undefined;

/** Thread entries the bundle builds, by name, with their TypeScript source relative to the repository. */
export const THREAD_ENTRIES = {
  decodeWorker: 'lib/audio/decode/decodeWorker.ts',
  chainWorker: 'lib/mastering/chain/chainWorker.ts',
  cpuThread: 'workers/cpu/cpuThread.ts',
} as const;
export type ThreadEntry = keyof typeof THREAD_ENTRIES;

const BOOTSTRAP = new URL('./tsxWorkerBootstrap.mjs', import.meta.url);
const REPO_ROOT = new URL('../../', import.meta.url);
let bundleFolder: URL | null = null;

/**
 * Lets a process that itself runs through tsx (the server, `npm run worker`) start its threads from an up-to-date
 * runtime bundle (scripts/runtimeBundle.mjs) built at its start-up.
 */
export function useRuntimeBundle(folder: string | null): void {
  bundleFolder = folder === null ? null : pathToFileURL(folder.endsWith('/') ? folder : `${folder}/`);
}

export function startWorker(entry: ThreadEntry, options: WorkerOptions = {}): Worker {
  if (typeof __MASTERING_BUNDLE__ !== 'undefined' && __MASTERING_BUNDLE__) {
    // Bundled: this module sits in the bundle's output folder beside the entries.
    return new Worker(new URL(`./${entry}.mjs`, import.meta.url), options);
  }
  if (bundleFolder) return new Worker(new URL(`${entry}.mjs`, bundleFolder), options);
  const workerData = { ...(options.workerData as object | undefined), entry: new URL(THREAD_ENTRIES[entry], REPO_ROOT).href };
  return new Worker(BOOTSTRAP, { ...options, workerData });
}
