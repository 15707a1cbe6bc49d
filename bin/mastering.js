#!/usr/bin/env node
// Package bin: runs the CLI from the runtime bundle (scripts/runtimeBundle.mjs: plain JavaScript, built on first use
// and whenever a source changed). If the bundle cannot be built, the TypeScript runs through tsx instead.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

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
