// Worker threads do not inherit `--import tsx` (Node 20 rejects it in a worker's execArgv), so the worker
// registers tsx itself before loading the TypeScript entry. Plain .mjs so Node can start it with no loader at all.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
