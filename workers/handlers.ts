import { analyzeJob } from './analyze';
import { exportJob } from './export';
import { masterJob } from './master';
import type { JobHandlers } from './runner';

/** What each job type runs. */
export const jobHandlers: JobHandlers = {
  analyze: analyzeJob,
  master: masterJob,
  export: exportJob,
};
