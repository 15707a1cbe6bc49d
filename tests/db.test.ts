import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { closeDatabase, getPgPool, getPrisma } from '../lib/server/db/client';
import { applyMigrations, diffSchemaAgainstMigrations, listMigrationNames, pendingMigrations } from '../lib/server/db/migrate';
import { createTestDatabase, type TestDatabase } from './helpers/database';

let db: TestDatabase;
let empty: TestDatabase;

before(async () => {
  db = await createTestDatabase();
  empty = await createTestDatabase({ migrate: false });
  process.env.DATABASE_URL = db.url;
});

after(async () => {
  await closeDatabase();
  await db.drop();
  await empty.drop();
});

test('migrations apply to an empty database, record standard rows, and a second run applies nothing', async () => {
  const applied = await applyMigrations(empty.url);
  assert.deepEqual(applied, listMigrationNames());
  assert.ok(applied.length > 0);
  const again = await applyMigrations(empty.url);
  assert.deepEqual(again, []);
  const client = new pg.Client({ connectionString: empty.url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name');
    assert.deepEqual(rows.map((r) => r.migration_name), applied);
    // The stock CLI compares sha256(migration.sql) hex with this column: a mismatch would make it refuse to deploy.
    const { createHash } = await import('node:crypto');
    const fs = await import('node:fs');
    const path = await import('node:path');
    const { defaultMigrationsDir } = await import('../lib/server/db/migrate');
    for (const row of rows) {
      const sql = fs.readFileSync(path.join(defaultMigrationsDir, row.migration_name, 'migration.sql'));
      assert.equal(row.checksum, createHash('sha256').update(sql).digest('hex'));
      assert.ok(row.finished_at instanceof Date);
    }
    assert.deepEqual(await pendingMigrations((sql) => client.query(sql)), []);
  } finally {
    await client.end();
  }
});

test('pendingMigrations lists everything on a database that never ran them', async () => {
  const fresh = await createTestDatabase({ migrate: false });
  const client = new pg.Client({ connectionString: fresh.url });
  await client.connect();
  try {
    assert.deepEqual(await pendingMigrations((sql) => client.query(sql)), listMigrationNames());
  } finally {
    await client.end();
    await fresh.drop();
  }
});

test('schema.prisma and the checked-in migrations agree (no migration is missing)', async () => {
  assert.equal(await diffSchemaAgainstMigrations(db.url), '');
});

test('prisma client creates, reads, updates and deletes through the pg adapter', async () => {
  const prisma = getPrisma();
  const user = await prisma.user.create({ data: { email: 'a@example.test', name: 'A', passwordHash: 'x' } });
  const project = await prisma.project.create({
    data: { name: 'Album', memberships: { create: { userId: user.id, role: 'owner' } }, tracks: { create: { title: 'Intro' } } },
    include: { tracks: true, memberships: true },
  });
  assert.equal(project.memberships[0]?.role, 'owner');
  const track = project.tracks[0]!;
  const asset = await prisma.asset.create({
    data: { trackId: track.id, kind: 'mix', version: 1, originalName: 'mix.wav', storageKey: 'k1', sha256: 'ab', byteSize: 5_000_000_000n },
  });
  assert.equal(asset.byteSize, 5_000_000_000n);
  assert.deepEqual(asset.referenceIds, []);
  const updated = await prisma.asset.update({ where: { id: asset.id }, data: { analysis: { lufs: -14.2 }, status: 'ready' } });
  assert.deepEqual(updated.analysis, { lufs: -14.2 });
  await assert.rejects(
    prisma.asset.create({ data: { trackId: track.id, kind: 'mix', version: 1, originalName: 'dup.wav', storageKey: 'k2', sha256: 'cd', byteSize: 1n } }),
    /Unique constraint/,
  );
  await prisma.project.delete({ where: { id: project.id } });
  assert.equal(await prisma.asset.count(), 0, 'cascade removes tracks and assets');
  const { rows } = await getPgPool().query('SELECT count(*)::int AS n FROM "User"');
  assert.equal(rows[0].n, 1);
});
