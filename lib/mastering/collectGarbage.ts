/**
 * V8's gc(), reachable without a command-line flag (null if this V8 refuses). The render drops buffers of tens to
 * hundreds of MB between stages; V8 would free them only at its next major collection, which may come after the next
 * big allocation, so peak memory would hold both. Called at those few transitions, it costs milliseconds.
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

export const collectGarbage: (() => void) | null = (() => {
  try {
    v8.setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return null;
  }
})();
