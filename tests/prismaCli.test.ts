// The checked-in migrations under the stock Prisma CLI (`prisma migrate deploy|status|diff`), as on a normal machine,
// and interchangeably with the app's own migrator (lib/server/db/migrate.ts). These machines cannot download the
// native schema engine, so the CLI is pointed at scripts/prisma-schema-engine.mjs, which answers its JSON-RPC with the
// WASM build of the engine: the CLI's own side (config, lockfile and folder checks, history diagnosis, the
// _prisma_migrations bookkeeping it reads back) is the stock one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, test } from 'node:test';
import pg from 'pg';
import { applyMigrations, listMigrationNames, pendingMigrations } from '../lib/server/db/migrate';
import { createTestDatabase, type TestDatabase } from './helpers/database';
import { repoRoot } from '../server/productionBuild';

const databases: TestDatabase[] = [];

after(async () => {
  for (const db of databases) await db.drop();
});

function prisma(databaseUrl: string, ...args: string[]): { status: number | null; out: string } {
  const result = spawnSync(process.execPath, [path.join(repoRoot, 'node_modules/prisma/build/index.js'), ...args], {
    cwd: repoRoot,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? path.join(repoRoot, 'scripts/prisma-schema-engine.mjs'),
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
    },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: result.status, out: `${result.stdout}\n${result.stderr}` };
}

async function appliedRows(url: string): Promise<{ migration_name: string; checksum: string }[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('SELECT migration_name, checksum FROM _prisma_migrations ORDER BY migration_name')).rows;
  } finally {
    await client.end();
  }
}

test('stock `prisma migrate deploy` applies the checked-in migrations; the app then sees nothing pending', { timeout: 300_000 }, async () => {
  const db = await createTestDatabase({ migrate: false });
  databases.push(db);
  const deploy = prisma(db.url, 'migrate', 'deploy');
  assert.equal(deploy.status, 0, deploy.out);
  assert.match(deploy.out, /All migrations have been successfully applied/);
  assert.deepEqual((await appliedRows(db.url)).map((r) => r.migration_name), listMigrationNames());

  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    assert.deepEqual(await pendingMigrations((sql) => client.query(sql)), [], '/api/health agrees');
  } finally {
    await client.end();
  }
  assert.deepEqual(await applyMigrations(db.url), [], 'the app migrator applies nothing on top');
  const drift = prisma(db.url, 'migrate', 'diff', '--from-config-datasource', '--to-schema', 'prisma/schema.prisma', '--exit-code');
  assert.equal(drift.status, 0, `the deployed database matches schema.prisma:\n${drift.out}`);
});

test('a database migrated by the app is up to date for stock `prisma migrate status` and `deploy`, with the same checksums', { timeout: 300_000 }, async () => {
  const ours = await createTestDatabase({ migrate: false });
  const theirs = await createTestDatabase({ migrate: false });
  databases.push(ours, theirs);
  assert.deepEqual(await applyMigrations(ours.url), listMigrationNames());
  const status = prisma(ours.url, 'migrate', 'status');
  assert.equal(status.status, 0, status.out);
  assert.match(status.out, /Database schema is up to date/);
  const deploy = prisma(ours.url, 'migrate', 'deploy');
  assert.equal(deploy.status, 0, deploy.out);
  assert.match(deploy.out, /No pending migrations to apply/);

  assert.equal(prisma(theirs.url, 'migrate', 'deploy').status, 0);
  assert.deepEqual(await appliedRows(ours.url), await appliedRows(theirs.url), 'identical _prisma_migrations bookkeeping');
});
