#!/usr/bin/env node
// Package bin: runs the CLI from the runtime bundle (scripts/runtimeBundle.mjs: plain JavaScript, built on first use
// and whenever a source changed). If the bundle cannot be built, the TypeScript runs through tsx instead.
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

// The heavy commands run in a child process started with settings that only take effect when a process starts:
// - V8's --single-threaded: no background compiler or GC helper threads. On the 2-core machines this targets, the
//   decode and render threads already keep both cores busy; V8's helpers only competed with them and cost more CPU
//   than they saved (a four-minute analysis: ~1.77 -> ~1.65 s CPU, wall time unchanged). V8 refuses to
//   change these flags once it is running, hence the re-execution.
// - glibc's malloc tunables (GLIBC_TUNABLES: two arenas, a 1 MiB trim threshold): a master allocates and frees
//   hundreds of MB across several threads, and with glibc's defaults much of what is freed stays in per-thread arenas
//   and below the heap's trim threshold, so the process's peak memory holds it (~30 MB of a four-minute master's ~390).
//   With glibc.malloc.hugetlb=1, glibc asks for transparent huge pages on the large blocks it maps (the track's
//   buffers): on the virtual machines this runs on, every first touch of a 4 KB page is a costly fault, and a master
//   touches ~380 MB. Measured: 0.3-0.5 s less wall time per four-minute master (6.35-6.71 -> 5.73-5.89 s), peak
//   memory +5 MB. Kernels with huge pages off ignore the request.
//   GLIBC_TUNABLES already set by the user is left as it is; other C libraries ignore it.
const TUNED_COMMANDS = new Set(['analyze', 'master']);
const V8_FLAGS = ['--single-threaded'];
const MALLOC_TUNABLES = 'glibc.malloc.arena_max=2:glibc.malloc.trim_threshold=1048576:glibc.malloc.hugetlb=1';
if (TUNED_COMMANDS.has(process.argv[2]) && process.env.MASTERING_CLI_TUNED === undefined) {
  const env = { ...process.env, MASTERING_CLI_TUNED: '1' };
  // Only for master: an analysis frees little, and the tunables' extra trimming cost it ~70 ms of system time.
  if (process.platform === 'linux' && process.argv[2] === 'master' && env.GLIBC_TUNABLES === undefined) env.GLIBC_TUNABLES = MALLOC_TUNABLES;
  const child = spawn(process.execPath, [...V8_FLAGS, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env });
  // Ctrl-C reaches the whole process group (the child handles it); signals sent to this process alone are passed on.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  const exitCode = await new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1)));
    child.on('error', (error) => {
      process.stderr.write(`mastering: ${error.message}\n`);
      resolve(1);
    });
  });
  process.exit(exitCode);
}

let main;
try {
  const { ensureRuntimeBundle } = await import('../scripts/runtimeBundle.mjs');
  ({ main } = await import(pathToFileURL(join(await ensureRuntimeBundle(), 'cli.mjs')).href));
} catch (error) {
  process.stderr.write(`mastering: running without the runtime bundle (${error instanceof Error ? error.message.split('\n')[0] : error})\n`);
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../lib/mastering/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
