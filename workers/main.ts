// `npm run worker`: a standalone worker process taking jobs from the app's database. With DATABASE_URL it uses
// that server; without, the embedded PostgreSQL of DATA_DIR (shared with `npm start`; started if not running, and
// then left running for the web server). It does not migrate: the web server (or `npm run db:migrate`) does.
import { getConfig } from '../lib/server/config';
import { closeDatabase, getPgPool } from '../lib/server/db/client';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../lib/server/db/embedded';
import { pendingMigrations } from '../lib/server/db/migrationFiles';
import { stopBoss } from '../lib/server/jobs/boss';
import { jobHandlers } from './handlers';
import { startWorker } from './runner';
import { threadsFromRuntimeBundle } from './threadBundle';

const config = getConfig();
let embedded: EmbeddedPostgres | undefined;
if (!config.databaseUrl) {
  embedded = await startEmbeddedPostgres({ dataDir: config.dataDir });
  process.env.DATABASE_URL = embedded.url;
}
// A database the web app has not set up yet (or an older schema) would fail on the first query, with a stack trace.
const pending = await pendingMigrations((sql) => getPgPool().query(sql));
if (pending.length) {
  console.error(
    `[worker] the database is missing migrations (${pending.join(', ')}): start the web app once (\`npm start\`, which migrates) or run \`npm run db:migrate\` with the same ${config.databaseUrl ? 'DATABASE_URL' : 'DATA_DIR'}, then start the worker again.`,
  );
  await closeDatabase();
  if (embedded && !embedded.reused) await embedded.stop(); // we started it only for this check
  process.exit(1);
}
await threadsFromRuntimeBundle((message) => console.log(`[worker] ${message}`));
const worker = await startWorker(jobHandlers, process.env.WORKER_ID ? { workerId: process.env.WORKER_ID } : {});
console.log(`[worker] ${worker.workerId} ready`);
if (process.send) process.send({ ready: worker.workerId });

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`[worker] ${signal}: finishing current job and stopping`);
  const force = setTimeout(() => process.exit(1), 60_000);
  force.unref();
  const grace = config.jobs.shutdownGraceSeconds;
  const idle = await worker.stop({ waitSeconds: grace });
  if (!idle) console.log(`[worker] a job is still running after ${grace} s: handing it back to the queue for another worker`);
  await stopBoss(idle ? 30 : 1);
  await closeDatabase();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
