#!/usr/bin/env node
// Package bin: runs the CLI from the runtime bundle (scripts/runtimeBundle.mjs: plain JavaScript, built on first use
// and whenever a source changed). If the bundle cannot be built, the TypeScript runs through tsx instead.
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

// A master allocates and frees hundreds of MB across several threads. With glibc's defaults much of what is freed stays
// in per-thread arenas and in the heap below its trim threshold, so the process's peak memory holds it (~30 MB of a
// four-minute master's ~390). glibc reads its malloc tunables only when a process starts, hence one re-execution with
// them; GLIBC_TUNABLES already set (by the user, or by this) is left as it is, and other C libraries ignore it.
const MALLOC_TUNABLES = 'glibc.malloc.arena_max=2:glibc.malloc.trim_threshold=1048576';
if (process.platform === 'linux' && process.argv[2] === 'master' && process.env.GLIBC_TUNABLES === undefined) {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, GLIBC_TUNABLES: MALLOC_TUNABLES },
  });
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
