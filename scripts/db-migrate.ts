// `npm run db:migrate`: apply pending prisma/migrations with the WASM schema engine. Targets DATABASE_URL, or the
// app's embedded PostgreSQL in DATA_DIR (started for the occasion and stopped again unless it was already running).
import { getConfig } from '../lib/server/config';
import { startEmbeddedPostgres } from '../lib/server/db/embedded';
import { applyMigrations } from '../lib/server/db/migrate';

const config = getConfig();
const server = config.databaseUrl ? undefined : await startEmbeddedPostgres({ dataDir: config.dataDir });
try {
  const applied = await applyMigrations(config.databaseUrl ?? server!.url);
  console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'database is up to date');
} finally {
  if (server && !server.reused) await server.stop();
}
