// Starts the real server (server/http.ts) in this process against a fresh test database and a temp DATA_DIR.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RunningHttpServer, StartHttpServerOptions } from '../../server/http';
import { createTestDatabase, type TestDatabase } from './database';
import { ensureProductionBuild } from '../../server/productionBuild';

export interface TestServer {
  baseUrl: string;
  port: number;
  dataDir: string;
  databaseUrl: string;
  server: RunningHttpServer;
  stop(): Promise<void>;
}

export async function startTestServer(options: { uploads?: StartHttpServerOptions['uploads'] } = {}): Promise<TestServer> {
  ensureProductionBuild({ log: (m) => console.log(`# ${m}`) });
  const db: TestDatabase = await createTestDatabase();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'mr-web-'));
  process.env.DATABASE_URL = db.url;
  process.env.DATA_DIR = dataDir;
  process.env.NEXTAUTH_SECRET ??= 'test-secret-' + 'x'.repeat(32);
  process.env.NEXT_TELEMETRY_DISABLED = '1';
  const { startHttpServer } = await import('../../server/http');
  const server = await startHttpServer({ port: 0, dev: false, hostname: '127.0.0.1', uploads: { sweepIntervalMs: 0, ...options.uploads } });
  const baseUrl = `http://127.0.0.1:${server.port}`;
  process.env.NEXTAUTH_URL = baseUrl;
  return {
    baseUrl,
    port: server.port,
    dataDir,
    databaseUrl: db.url,
    server,
    async stop() {
      await server.close();
      const { closeDatabase } = await import('../../lib/server/db/client');
      const { stopBoss } = await import('../../lib/server/jobs/boss').catch(() => ({ stopBoss: undefined }));
      await (stopBoss as (() => Promise<void>) | undefined)?.().catch(() => undefined);
      await closeDatabase();
      await db.drop().catch(() => undefined);
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
