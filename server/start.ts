// `npm start`: one command from a fresh clone to a working workspace. Embedded PostgreSQL in DATA_DIR unless
// DATABASE_URL is set, pending migrations applied, a production build made if there is none or the sources are newer
// (server/productionBuild.ts), then the web server (Next + socket.io + uploads) and an in-process job worker. Ctrl-C
// stops everything cleanly; data stays in DATA_DIR.
import { getConfig } from '../lib/server/config';
import { closeDatabase } from '../lib/server/db/client';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../lib/server/db/embedded';
import { applyMigrations } from '../lib/server/db/migrate';
import { stopBoss } from '../lib/server/jobs/boss';
import type { WorkerHandle } from '../workers/runner';
import { threadsFromRuntimeBundle } from '../workers/threadBundle';
import { ensureProductionBuild } from './productionBuild';

const started = Date.now();
const log = (message: string) => console.log(`[start +${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);

async function main() {
  process.env.NEXT_TELEMETRY_DISABLED ??= '1';
  const config = getConfig();
  // The auth layer reads these from the environment; a generated secret persisted in DATA_DIR keeps sessions valid
  // across restarts without any setup.
  process.env.NEXTAUTH_SECRET ??= config.nextAuthSecret;

  let embedded: EmbeddedPostgres | undefined;
  if (config.databaseUrl) {
    log('using DATABASE_URL');
  } else {
    embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, log });
    process.env.DATABASE_URL = embedded.url;
  }

  const applied = await applyMigrations(process.env.DATABASE_URL!);
  log(applied.length ? `applied migrations: ${applied.join(', ')}` : 'database schema up to date');

  ensureProductionBuild({ inheritOutput: true, log });

  await threadsFromRuntimeBundle(log);
  const { startHttpServer } = await import('./http');
  const server = await startHttpServer({ port: config.port, dev: false });

  let worker: WorkerHandle | undefined;
  if (process.env.IN_PROCESS_WORKER !== 'false') {
    const { startInProcessWorker } = await import('../workers/inProcess');
    worker = await startInProcessWorker();
  }
  log(`ready on http://localhost:${server.port} (data in ${config.dataDir}${worker ? `, worker ${worker.workerId}` : ', no in-process worker'})`);
  process.send?.({ ready: server.port });

  let stoppingSince = 0;
  const shutdown = async (signal: string) => {
    if (stoppingSince) {
      // One Ctrl-C can arrive twice when a launcher relays the terminal's signal to us (the tsx CLI does); only a
      // second press a moment later means "now".
      if (Date.now() - stoppingSince < 1000) return;
      log(`${signal} again: exiting now`);
      if (process.env.EMBEDDED_PG_KEEP_RUNNING !== '1') embedded?.stopSync();
      process.exit(1);
    }
    stoppingSince = Date.now();
    log(`${signal}: stopping`);
    const force = setTimeout(() => {
      console.error('shutdown took too long; exiting');
      // Not without the embedded server: an orphan would only be adopted by the next start, but Ctrl-C means stop.
      if (process.env.EMBEDDED_PG_KEEP_RUNNING !== '1') embedded?.stopSync();
      process.exit(1);
    }, 30_000);
    force.unref();
    try {
      const grace = config.jobs.shutdownGraceSeconds;
      const idle = worker ? await worker.stop({ waitSeconds: grace }) : true;
      if (!idle) log(`a job is still running after ${grace} s: handing it back to the queue (it runs again on the next start or on another worker)`);
      await server.close();
      // pg-boss fails what is still active under this process as "shut down while active", which schedules its retry.
      await stopBoss(idle ? 10 : 1);
      await closeDatabase();
      if (embedded && process.env.EMBEDDED_PG_KEEP_RUNNING !== '1') await embedded.stop();
      log('stopped');
      process.exit(0);
    } catch (error) {
      console.error('error while stopping:', error);
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
