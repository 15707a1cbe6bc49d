import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { closeDatabase, getPgPool } from '../lib/server/db/client';
import { listMigrationNames } from '../lib/server/db/migrate';
import { getHealth } from '../lib/server/health';
import { startWorkerHeartbeat } from '../workers/heartbeat';
import { createTestDatabase, type TestDatabase } from './helpers/database';

let db: TestDatabase;

before(async () => {
  db = await createTestDatabase();
  process.env.DATABASE_URL = db.url;
});

after(async () => {
  await closeDatabase();
  await db.drop();
});

test('health: not ok without a live worker, ok while one beats, not ok once its beat is older than 30 s', async () => {
  const idle = await getHealth();
  assert.equal(idle.database.ok, true);
  assert.deepEqual(idle.migrations, { ok: true, pending: [] });
  assert.equal(idle.worker.ok, false);
  assert.equal(idle.ok, false);

  const heartbeat = await startWorkerHeartbeat('test-worker', 60);
  const live = await getHealth();
  assert.equal(live.worker.ok, true);
  assert.equal(live.worker.alive, 1);
  assert.equal(live.ok, true);

  await getPgPool().query(`UPDATE "WorkerHeartbeat" SET "beatAt" = "beatAt" - interval '31 seconds'`);
  const stale = await getHealth();
  assert.equal(stale.worker.ok, false);
  assert.equal(stale.ok, false);
  await heartbeat.stop();
  assert.equal((await getPgPool().query('SELECT 1 FROM "WorkerHeartbeat"')).rowCount, 0, 'a stopped worker removes its row');
});

test('health reports migrations that are not applied', async () => {
  await getPgPool().query('DELETE FROM _prisma_migrations');
  const report = await getHealth();
  assert.equal(report.migrations.ok, false);
  assert.deepEqual(report.migrations.pending, listMigrationNames());
  assert.equal(report.ok, false);
});

test('health reports an unreachable database without throwing', async () => {
  await closeDatabase();
  const saved = process.env.DATABASE_URL;
  const u = new URL(db.url);
  u.port = '1';
  process.env.DATABASE_URL = u.toString();
  try {
    const report = await getHealth();
    assert.equal(report.ok, false);
    assert.equal(report.database.ok, false);
    assert.ok(report.database.error);
  } finally {
    await closeDatabase();
    process.env.DATABASE_URL = saved;
  }
});
