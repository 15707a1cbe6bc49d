// The process's pg-boss instance, in the app's PostgreSQL (schema `pgboss`). Kept on globalThis because Next.js
// bundles route handlers separately from the custom server: both must share one instance per process.
import { PgBoss, type SendOptions } from 'pg-boss';
import { getConfig, type JobConfig } from '../config';
import { getDatabaseUrl } from '../db/client';
import { JOB_TYPES } from './types';

const KEY = Symbol.for('mastering-room.jobs.boss');
type Holder = { [KEY]?: Promise<PgBoss> };

export const BOSS_SCHEMA = 'pgboss';

/** Per-job options, taken from config at send time so changed settings apply to new jobs without touching queues. */
export function jobSendOptions(jobs: JobConfig = getConfig().jobs): SendOptions {
  return {
    retryLimit: jobs.retryLimit,
    retryDelay: jobs.retryDelaySeconds,
    expireInSeconds: jobs.expireSeconds,
    // A worker that dies mid-job stops heartbeating; supervision then hands the job to the next worker.
    heartbeatSeconds: jobs.heartbeatSeconds,
  };
}

export function getBoss(): Promise<PgBoss> {
  const holder = globalThis as Holder;
  holder[KEY] ??= (async () => {
    const { jobs } = getConfig();
    const boss = new PgBoss({
      connectionString: getDatabaseUrl(),
      schema: BOSS_SCHEMA,
      max: 4,
      application_name: 'mastering-room-jobs',
      superviseIntervalSeconds: jobs.superviseIntervalSeconds,
      // Heartbeat and expiry checks happen in the monitor pass: as often as supervision.
      monitorIntervalSeconds: jobs.superviseIntervalSeconds,
      // A new job wakes idle workers in every process at once (NOTIFY); polling is only the backstop.
      useListenNotify: true,
      persistWarnings: false,
    });
    boss.on('error', (error: Error) => console.error('[jobs] pg-boss error:', error.message));
    try {
      await boss.start();
      for (const name of JOB_TYPES) {
        const { heartbeatSeconds, ...updatable } = jobSendOptions(jobs);
        await boss.createQueue(name, { ...updatable, heartbeatSeconds, notify: true });
        // createQueue leaves an existing queue as it was: bring its settings up to date.
        await boss.updateQueue(name, { ...updatable, notify: true });
      }
    } catch (error) {
      delete holder[KEY];
      throw error;
    }
    return boss;
  })();
  return holder[KEY]!;
}

/** Stop this process's pg-boss (waits for running handlers up to `timeoutSeconds`). */
export async function stopBoss(timeoutSeconds = 30): Promise<void> {
  const holder = globalThis as Holder;
  const pending = holder[KEY];
  delete holder[KEY];
  if (!pending) return;
  const boss = await pending.catch(() => undefined);
  await boss?.stop({ graceful: true, timeout: timeoutSeconds * 1000, close: true });
}
