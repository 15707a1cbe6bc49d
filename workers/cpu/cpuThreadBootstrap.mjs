// Worker threads do not inherit `--import tsx`, so the thread registers tsx itself before loading the TypeScript
// entry (same approach as lib/audio/decode/decodeWorkerBootstrap.mjs). Plain .mjs so Node starts it with no loader.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
