// Processes that run through tsx (`npm start`, `npm run worker`) start their job and decode threads from the runtime
// bundle: each thread then skips tsx's loader (~35 MB and a few hundred ms per job). Built here when missing or older
// than the sources; without it (no esbuild, a build error) the threads run through tsx as before.
import { useRuntimeBundle } from '../lib/audio/workerThread';
import { ensureRuntimeBundle } from '../scripts/runtimeBundle.mjs';

export async function threadsFromRuntimeBundle(log: (message: string) => void): Promise<void> {
  try {
    useRuntimeBundle(await ensureRuntimeBundle());
    log('worker threads run from the runtime bundle');
  } catch (error) {
    log(`worker threads run through tsx (runtime bundle unavailable: ${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
  }
}
