// Test databases. `npm test` (scripts/test.ts) starts ONE embedded PostgreSQL for the whole run and exports its
// maintenance URL as TEST_PG_ADMIN_URL; each test file then gets its own database, cloned from a template that has
// the migrations applied (CREATE DATABASE … TEMPLATE is ~50 ms, applying migrations each time ~1 s). A test file run
// on its own (`node --import tsx --test tests/x.test.ts`) starts a private embedded server instead, stopped when
// the process is about to exit.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { applyMigrations, defaultMigrationsDir, listMigrationNames } from '../../lib/server/db/migrate';
import { startEphemeralPostgres } from '../../scripts/ephemeralPostgres';
import path from 'node:path';

export interface TestDatabase {
  /** Connection URL of the new database. */
  url: string;
  name: string;
  /** Drop it (terminating any connections still open). */
  drop(): Promise<void>;
}

let adminUrlPromise: Promise<string> | undefined;

function adminUrl(): Promise<string> {
  adminUrlPromise ??= (async () => {
    if (process.env.TEST_PG_ADMIN_URL) return process.env.TEST_PG_ADMIN_URL;
    const server = await startEphemeralPostgres('mastering-test-');
    let stopping = false;
    process.on('beforeExit', () => {
      if (stopping) return;
      stopping = true;
      void server.stop();
    });
    process.on('exit', () => {
      // process.exit() and a runner that ends the file skip beforeExit; only synchronous work runs here.
      if (!stopping) server.stopSync();
    });
    return server.adminUrl;
  })();
  return adminUrlPromise;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: await adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Name of the template for the current migrations: a change to any migration makes a new template. */
function templateName(): string {
  const hash = createHash('sha256');
  for (const name of listMigrationNames()) {
    hash.update(name);
    hash.update(fs.readFileSync(path.join(defaultMigrationsDir, name, 'migration.sql')));
  }
  return `test_template_${hash.digest('hex').slice(0, 12)}`;
}

async function ensureTemplate(): Promise<string> {
  const name = templateName();
  await admin(async (client) => {
    // Test files may run in parallel: one builds the template, the others wait on the lock.
    await client.query('SELECT pg_advisory_lock(7242001)');
    try {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate', [name]);
      if (rowCount) return;
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.query(`CREATE DATABASE "${name}"`);
      await applyMigrations(withDatabase(await adminUrl(), name));
      await client.query(`ALTER DATABASE "${name}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
    } finally {
      await client.query('SELECT pg_advisory_unlock(7242001)');
    }
  });
  return name;
}

/**
 * A fresh database of its own for the calling test. With `migrate: false` it is empty (for testing the migrations
 * themselves). Typical use: `const db = await createTestDatabase(); process.env.DATABASE_URL = db.url;` in `before`,
 * then `await closeDatabase(); await db.drop();` in `after`.
 */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const template = options.migrate === false ? undefined : await ensureTemplate();
  const name = `test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`));
  const url = withDatabase(await adminUrl(), name);
  return {
    url,
    name,
    drop: () => admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}
