// Runtime settings from the environment, with the defaults `npm start` needs on a fresh clone.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const envSchema = z.object({
  DATA_DIR: z.string().min(1).default('./data'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z.string().min(1).optional(),
  NEXTAUTH_SECRET: z.string().min(1).optional(),
  PUBLIC_URL: z.string().url().optional(),
  NEXTAUTH_URL: z.string().url().optional(),
  // Jobs. pg-boss needs heartbeatSeconds >= 10; a job of a worker that died is retried once its heartbeat is that
  // much overdue (and at the latest after expireSeconds). Heartbeats are sent from the worker's event loop, so a
  // handler must not block it for longer than this (CPU-heavy steps belong in worker_threads).
  JOB_HEARTBEAT_SECONDS: z.coerce.number().int().min(10).default(30),
  JOB_EXPIRE_SECONDS: z.coerce.number().int().min(1).default(30 * 60),
  JOB_RETRY_LIMIT: z.coerce.number().int().min(0).default(2),
  JOB_RETRY_DELAY_SECONDS: z.coerce.number().int().min(0).default(5),
  JOB_CONCURRENCY: z.coerce.number().int().min(1).default(1),
  JOB_SUPERVISE_INTERVAL_SECONDS: z.coerce.number().int().min(1).default(10),
  WORKER_HEARTBEAT_SECONDS: z.coerce.number().min(0.1).default(5),
  // Backstop poll for jobs nobody NOTIFYs about (retries after a delay, jobs freed by supervision).
  JOB_POLL_SECONDS: z.coerce.number().min(0.5).default(2),
  // Ctrl-C / SIGTERM: how long running jobs may take to finish before they are handed back to the queue (they run
  // again on the next start or on another worker) so the process can stop promptly.
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).default(10),
});

export interface JobConfig {
  heartbeatSeconds: number;
  expireSeconds: number;
  retryLimit: number;
  retryDelaySeconds: number;
  concurrency: number;
  superviseIntervalSeconds: number;
  workerHeartbeatSeconds: number;
  pollSeconds: number;
  shutdownGraceSeconds: number;
}

export interface Config {
  /** Absolute path of the app's data folder (embedded PostgreSQL, uploads, secret). */
  dataDir: string;
  port: number;
  /** External PostgreSQL; undefined means "start the embedded one in dataDir". */
  databaseUrl: string | undefined;
  nextAuthSecret: string;
  storageDir: string;
  publicUrl: string;
  jobs: JobConfig;
}

/** NEXTAUTH_SECRET, or one generated on first start and kept in <dataDir>/secret so sessions survive restarts. */
function loadOrCreateSecret(dataDir: string): string {
  const file = path.join(dataDir, 'secret');
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (existing) return existing;
  } catch {
    // first start
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  try {
    fs.writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch {
    // Another process created it first: use theirs.
    return fs.readFileSync(file, 'utf8').trim();
  }
}

export function getConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = envSchema.parse(env);
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    dataDir,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    nextAuthSecret: e.NEXTAUTH_SECRET ?? loadOrCreateSecret(dataDir),
    storageDir: path.join(dataDir, 'storage'),
    publicUrl: e.PUBLIC_URL ?? e.NEXTAUTH_URL ?? `http://localhost:${e.PORT}`,
    jobs: {
      heartbeatSeconds: e.JOB_HEARTBEAT_SECONDS,
      expireSeconds: e.JOB_EXPIRE_SECONDS,
      retryLimit: e.JOB_RETRY_LIMIT,
      retryDelaySeconds: e.JOB_RETRY_DELAY_SECONDS,
      concurrency: e.JOB_CONCURRENCY,
      superviseIntervalSeconds: e.JOB_SUPERVISE_INTERVAL_SECONDS,
      workerHeartbeatSeconds: e.WORKER_HEARTBEAT_SECONDS,
      pollSeconds: e.JOB_POLL_SECONDS,
      shutdownGraceSeconds: e.SHUTDOWN_GRACE_SECONDS,
    },
  };
}
