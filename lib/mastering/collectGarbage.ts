/**
 * V8's gc(), reachable without a command-line flag (a no-op if this V8 refuses). The render drops buffers of tens to
 * hundreds of MB between stages; V8 would free them only at its next major collection, which may come after the next
 * big allocation, so peak memory would hold both. Called at those few transitions, it costs milliseconds.
 * A process started with --expose-gc (the CLI is, bin/mastering) has gc() already: the v8 and vm modules and the
 * context made to reach it otherwise cost each thread ~10 ms, paid only on the first collection.
 */
import { createRequire } from 'node:module';

let gc: (() => void) | null | undefined;

function reachGc(): (() => void) | null {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  try {
    const require = createRequire(import.meta.url);
    (require('node:v8') as typeof import('node:v8')).setFlagsFromString('--expose-gc');
    return (require('node:vm') as typeof import('node:vm')).runInNewContext('gc') as () => void;
  } catch {
    return null;
  }
}

export function collectGarbage(): void {
  if (gc === undefined) gc = reachGc();
  gc?.();
}
