import { analyzeJob } from './analyze';
import type { JobHandlers } from './runner';

/** What each job type runs. `master` and `export` are added by their features. */
export const jobHandlers: JobHandlers = {
  analyze: analyzeJob,
};
