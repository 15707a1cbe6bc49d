/** Thread and CLI entries of the runtime bundle, by name, with their TypeScript source relative to the repository. */
export const ENTRIES: Record<'cli' | 'decodeWorker' | 'chainWorker' | 'cpuThread', string>;
/** The folder of an up-to-date bundle, built first if needed. Throws if esbuild is missing or the build fails. */
export function ensureRuntimeBundle(): Promise<string>;
