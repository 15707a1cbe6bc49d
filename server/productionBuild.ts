// The production build `npm start` serves and the browser and HTTP tests run against (dev mode compiles on demand and
// flakes). Built when there is none, or when a source file is newer than the build: after a `git pull` the app is
// rebuilt instead of the old pages being served against the new server code.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '..');
const SOURCE_ROOTS = ['app', 'lib', 'server', 'public', 'next.config.ts', 'package-lock.json', 'prisma/schema.prisma'];
const SKIP = new Set(['node_modules', 'generated', '.next']);

function newestMtime(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const stat = fs.statSync(p);
  if (!stat.isDirectory()) return /\.test\.tsx?$/.test(p) ? 0 : stat.mtimeMs;
  let newest = 0;
  for (const entry of fs.readdirSync(p)) if (!SKIP.has(entry)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

// Several test processes (or developers' parallel runs) may want a build at once; two `next build`s writing one .next
// corrupt each other, so builds take a lock directory (mkdir is atomic) and a waiter re-checks freshness afterwards.
const LOCK_DIR = path.join(repoRoot, '.next-build.lock');

function lockIsStale(): boolean {
  try {
    const pid = Number(fs.readFileSync(path.join(LOCK_DIR, 'pid'), 'utf8'));
    process.kill(pid, 0);
    return false;
  } catch {
    // No pid file yet (just created) counts as live for a short while.
    try {
      return Date.now() - fs.statSync(LOCK_DIR).mtimeMs > 10_000 && !fs.existsSync(path.join(LOCK_DIR, 'pid'));
    } catch {
      return false;
    }
  }
}

export interface BuildOptions {
  /** Show next build's output (npm start) instead of keeping it for the error message (tests). */
  inheritOutput?: boolean;
  log?: (message: string) => void;
}

export function ensureProductionBuild(options: BuildOptions = {}): void {
  for (;;) {
    try {
      fs.mkdirSync(LOCK_DIR);
      break;
    } catch {
      if (lockIsStale()) fs.rmSync(LOCK_DIR, { recursive: true, force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    fs.writeFileSync(path.join(LOCK_DIR, 'pid'), String(process.pid));
    buildIfStale(options);
  } finally {
    fs.rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

function buildIfStale({ inheritOutput = false, log = console.log }: BuildOptions): void {
  const buildId = path.join(repoRoot, '.next', 'BUILD_ID');
  const builtAt = fs.existsSync(buildId) ? fs.statSync(buildId).mtimeMs : 0;
  const sourcesAt = Math.max(...SOURCE_ROOTS.map((r) => newestMtime(path.join(repoRoot, r))));
  if (builtAt > sourcesAt) return;
  log(builtAt === 0 ? 'no production build: running `next build` (once; takes a minute)' : 'sources changed since the last build: running `next build`');
  const result = spawnSync('nice', ['-n', '5', process.execPath, path.join(repoRoot, 'node_modules/next/dist/bin/next'), 'build'], {
    cwd: repoRoot,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
    stdio: inheritOutput ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(inheritOutput ? `next build failed (exit ${result.status})` : `next build failed:\n${result.stdout}\n${result.stderr}`);
}
