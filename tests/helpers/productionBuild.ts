// Browser and HTTP tests run against a production build (dev mode compiles on demand and flakes). Build when there
// is none, or when a source file is newer than the build, so a stale .next never hides a change.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
const SOURCE_ROOTS = ['app', 'lib', 'server', 'public', 'next.config.ts'];
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

export function ensureProductionBuild(): void {
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
    buildIfStale();
  } finally {
    fs.rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

function buildIfStale(): void {
  const buildId = path.join(repoRoot, '.next', 'BUILD_ID');
  const builtAt = fs.existsSync(buildId) ? fs.statSync(buildId).mtimeMs : 0;
  const sourcesAt = Math.max(...SOURCE_ROOTS.map((r) => newestMtime(path.join(repoRoot, r))));
  if (builtAt > sourcesAt) return;
  console.log('# building the app for tests (next build)…');
  const result = spawnSync('nice', ['-n', '5', process.execPath, path.join(repoRoot, 'node_modules/next/dist/bin/next'), 'build'], {
    cwd: repoRoot,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`next build failed:\n${result.stdout}\n${result.stderr}`);
}
