// Each worker process says it is alive by touching its WorkerHeartbeat row every few seconds (GET /api/health).
import os from 'node:os';
import { getPrisma } from '../lib/server/db/client';

export interface HeartbeatHandle {
  stop(): Promise<void>;
}

export async function startWorkerHeartbeat(workerId: string, intervalSeconds: number): Promise<HeartbeatHandle> {
  const prisma = getPrisma();
  const beat = () =>
    prisma.workerHeartbeat.upsert({
      where: { id: workerId },
      create: { id: workerId, hostname: os.hostname(), pid: process.pid },
      update: { beatAt: new Date() },
    });
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
