// `npm run db:diff -- --name add_x`: write a new migration in prisma/migrations from the changes made to
// prisma/schema.prisma, with the WASM schema engine (no native Prisma binary needed). Uses DATABASE_URL's server for
// the shadow database when set, else a temporary embedded PostgreSQL.
import { parseArgs } from 'node:util';
import { createMigration } from '../lib/server/db/migrate';
import { startEphemeralPostgres } from './ephemeralPostgres';

const { values } = parseArgs({ options: { name: { type: 'string', short: 'n' } } });
if (!values.name) {
  console.error('usage: npm run db:diff -- --name <migration_name>');
  process.exit(2);
}

const server = process.env.DATABASE_URL ? undefined : await startEphemeralPostgres('mastering-diff-');
try {
  const dir = await createMigration(process.env.DATABASE_URL ?? server!.url, values.name);
  console.log(dir ? `created ${dir}` : 'schema.prisma matches the migrations: nothing to create');
} finally {
  await server?.stop();
}
