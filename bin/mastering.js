#!/usr/bin/env node
// Package bin: registers tsx so the TypeScript CLI runs without a build step, then hands over to it.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../lib/mastering/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
