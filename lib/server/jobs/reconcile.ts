// pg-boss settles some jobs without any handler of ours running: supervision fails a job whose worker died once its
// retries are used up, or expires one. Those Job rows would stay `active` forever; this brings them in line.
import type { Job } from '../../generated/prisma/client';
import { getPgPool, getPrisma } from '../db/client';
import { BOSS_SCHEMA } from './boss';
import { publishJob } from './publish';

interface BossRow {
  id: string;
  state: 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';
  output: unknown;
}

function outputMessage(output: unknown): string {
  if (output && typeof output === 'object' && 'message' in output) return String((output as { message: unknown }).message);
  return output ? JSON.stringify(output).slice(0, 2000) : 'job failed';
}

/** Align unfinished Job rows with their pg-boss entries. Returns the rows it changed. */
export async function reconcileJobs(): Promise<Job[]> {
  const prisma = getPrisma();
  const open = await prisma.job.findMany({ where: { state: { in: ['queued', 'active'] }, bossId: { not: null } }, take: 500 });
  if (open.length === 0) return [];
  const { rows } = await getPgPool().query<BossRow>(`SELECT id::text AS id, state::text AS state, output FROM ${BOSS_SCHEMA}.job WHERE id = ANY($1::uuid[])`, [
    open.map((j) => j.bossId),
  ]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const changed: Job[] = [];
  for (const job of open) {
    const boss = byId.get(job.bossId!);
    if (!boss) continue;
    let data: Parameters<typeof prisma.job.update>[0]['data'] | undefined;
    if (boss.state === 'failed') data = { state: 'failed', error: job.error ?? outputMessage(boss.output), finishedAt: new Date() };
    else if (boss.state === 'cancelled') data = { state: 'cancelled', finishedAt: new Date() };
    else if ((boss.state === 'retry' || boss.state === 'created') && job.state === 'active') data = { state: 'queued' };
    if (!data) continue;
    // Only if the row did not move meanwhile (a worker may be writing it right now).
    const { count } = await prisma.job.updateMany({ where: { id: job.id, state: job.state, bossId: job.bossId }, data });
    if (count === 0) continue;
    const updated = await prisma.job.findUniqueOrThrow({ where: { id: job.id } });
    changed.push(updated);
    await publishJob(updated);
  }
  return changed;
}
