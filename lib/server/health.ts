// GET /api/health: the app is healthy when the database answers, every checked-in migration is applied, and at
// least one worker process has reported in within the last 30 s.
import { getPgPool } from './db/client';
import { pendingMigrations } from './db/migrationFiles';

export const WORKER_ALIVE_SECONDS = 30;

export interface HealthReport {
  ok: boolean;
  database: { ok: boolean; latencyMs?: number; error?: string };
  migrations: { ok: boolean; pending: string[]; error?: string };
  worker: { ok: boolean; alive: number; lastBeatAt: string | null; error?: string };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function getHealth(): Promise<HealthReport> {
  const report: HealthReport = {
    ok: false,
    database: { ok: false },
    migrations: { ok: false, pending: [] },
    worker: { ok: false, alive: 0, lastBeatAt: null },
  };
  let pool;
  try {
    pool = getPgPool();
    const started = Date.now();
    await pool.query('SELECT 1');
    report.database = { ok: true, latencyMs: Date.now() - started };
  } catch (error) {
    report.database.error = message(error);
    report.migrations.error = 'database unreachable';
    report.worker.error = 'database unreachable';
    return report;
  }
  try {
    const pending = await pendingMigrations((sql) => pool.query(sql));
    report.migrations = { ok: pending.length === 0, pending };
  } catch (error) {
    report.migrations.error = message(error);
  }
  try {
    // Database time on both sides: a skewed app clock must not make live workers look dead.
    const { rows } = await pool.query<{ alive: number; last: Date | null }>(
      // ("beatAt" is a timestamp without time zone holding UTC, as Prisma writes DateTime.)
      `SELECT count(*) FILTER (WHERE "beatAt" > (now() AT TIME ZONE 'UTC') - make_interval(secs => $1))::int AS alive,
              max("beatAt") AT TIME ZONE 'UTC' AS last
         FROM "WorkerHeartbeat"`,
      [WORKER_ALIVE_SECONDS],
    );
    const row = rows[0]!;
    report.worker = { ok: row.alive > 0, alive: row.alive, lastBeatAt: row.last ? row.last.toISOString() : null };
  } catch (error) {
    report.worker.error = message(error);
  }
  report.ok = report.database.ok && report.migrations.ok && report.worker.ok;
  return report;
}
