// A worker process for the job tests: the real runner (workers/runner.ts) with a test handler whose behaviour the
// job's input chooses. Every attempt is recorded in the table job_runs so tests can count executions.
import fs from 'node:fs';
import { getPgPool } from '../../lib/server/db/client';
import { startWorker } from '../../workers/runner';

interface TestInput {
  sleepMs?: number;
  /** Sleep this long on the first attempt only (to be killed meanwhile). */
  hangFirstAttemptMs?: number;
  /** Fail the first N attempts. */
  failAttempts?: number;
  /** Fail while this file exists. */
  failWhileFileExists?: string;
}

const worker = await startWorker({
  analyze: async (ctx) => {
    const input = (ctx.job.input ?? {}) as TestInput;
    await getPgPool().query('INSERT INTO job_runs (job_id, worker_id, attempt) VALUES ($1, $2, $3)', [ctx.job.id, ctx.workerId, ctx.attempt]);
    await ctx.progress(50, 'halfway');
    if (input.hangFirstAttemptMs && ctx.attempt === 1) await new Promise((r) => setTimeout(r, input.hangFirstAttemptMs));
    if (input.sleepMs) await new Promise((r) => setTimeout(r, input.sleepMs));
    if (input.failAttempts && ctx.attempt <= input.failAttempts) throw new Error(`planned failure on attempt ${ctx.attempt}`);
    if (input.failWhileFileExists && fs.existsSync(input.failWhileFileExists)) throw new Error('flag file present');
    return { by: ctx.workerId };
  },
});
process.send?.({ ready: worker.workerId });
process.on('SIGTERM', () => {
  void worker.stop().then(() => process.exit(0));
});
