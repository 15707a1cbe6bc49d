// Each worker process says it is alive by touching its WorkerHeartbeat row every few seconds (GET /api/health).
import os from 'node:os';
import { getPgPool, getPrisma } from '../lib/server/db/client';

export interface HeartbeatHandle {
  stop(): Promise<void>;
}

export async function startWorkerHeartbeat(workerId: string, intervalSeconds: number): Promise<HeartbeatHandle> {
  const prisma = getPrisma();
  // The database's clock, not ours: health compares against the database's now(), so skew cannot fake a death.
  const beat = () =>
    getPgPool().query(
      `INSERT INTO "WorkerHeartbeat" (id, hostname, pid, "startedAt", "beatAt")
       VALUES ($1, $2, $3, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
       ON CONFLICT (id) DO UPDATE SET "beatAt" = now() AT TIME ZONE 'UTC'`,
      [workerId, os.hostname(), process.pid],
    );
  await beat();
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = beat().catch((error: Error) => console.error('[worker] heartbeat failed:', error.message));
  }, intervalSeconds * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
      await prisma.workerHeartbeat.deleteMany({ where: { id: workerId } }).catch(() => undefined);
    },
  };
}
