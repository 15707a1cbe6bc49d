#!/usr/bin/env node
// The CLI's entry (started by the package bin, bin/mastering): runs the CLI from the runtime bundle
// (scripts/runtimeBundle.mjs: plain JavaScript, built on first use and whenever a source changed). If the bundle cannot
// be built, the TypeScript runs through tsx instead.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

// `mastering analyze|master` run in a process started with settings that only take effect when a process starts
// (V8's --single-threaded; for master, glibc's malloc tunables): the package bin, bin/mastering, starts this file so.
// Started directly (`node bin/mastering.js master ...`), this file runs the command through that script, in a child
// process (on Windows, which has no /bin/sh, the command runs here without those settings).
const TUNED_COMMANDS = new Set(['analyze', 'master']);
if (TUNED_COMMANDS.has(process.argv[2]) && process.env.MASTERING_CLI_TUNED === undefined && process.platform !== 'win32') {
  // Loaded only here: the tuned process never needs it before it runs ffmpeg (10-17 ms of start-up).
  const { spawn } = await import('node:child_process');
  const wrapper = fileURLToPath(new URL('./mastering', import.meta.url));
  const env = { ...process.env, MASTERING_NODE: process.execPath };
  const child = spawn('/bin/sh', [wrapper, ...process.argv.slice(2)], { stdio: 'inherit', env });
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
