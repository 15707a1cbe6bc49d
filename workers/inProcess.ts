// The worker that `npm start` runs inside the web process, so a single command gives a working app. More capacity:
// run `npm run worker` processes against the same database.
import { jobHandlers } from './handlers';
import { startWorker, type WorkerHandle } from './runner';

export function startInProcessWorker(): Promise<WorkerHandle> {
  return startWorker(jobHandlers);
}
