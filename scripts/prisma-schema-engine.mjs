#!/usr/bin/env node
// A stand-in for Prisma's native `schema-engine` binary, for machines that cannot download it: the stock Prisma CLI
// (`prisma migrate deploy|status|diff…`) spawns it when PRISMA_SCHEMA_ENGINE_BINARY points here, and it answers the
// CLI's JSON-RPC (one JSON message per line on stdin/stdout, JSON log lines on stderr) with the WASM build of the same
// engine (@prisma/schema-engine-wasm, driven through lib/server/db/schemaEngine.ts). The app never needs it: it
// migrates through lib/server/db/migrate.ts. It exists so the checked-in migrations can be checked against the
// stock CLI (tests/prismaCli.test.ts) on machines without the native engine.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const here = path.dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const datamodels = [];
  let datasource;
  let command;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--version' || argv[i] === '-V') return { version: true };
    if (argv[i] === '--datamodels') datamodels.push(argv[++i]);
    else if (argv[i] === '--datasource') datasource = JSON.parse(argv[++i]);
    else if (argv[i] === 'cli') command = argv[++i];
  }
  return { datamodels, datasource, command };
}

function log(level, message, extra = {}) {
  process.stderr.write(`${JSON.stringify({ timestamp: new Date().toISOString(), level, fields: { message, ...extra }, target: 'schema_engine::logger' })}\n`);
}

const args = parseArgs(process.argv.slice(2));
if (args.version) {
  const pkg = JSON.parse(fs.readFileSync(path.join(here, '..', 'node_modules', '@prisma', 'schema-engine-wasm', 'package.json'), 'utf8'));
  process.stdout.write(`schema-engine-cli ${pkg.version} (wasm shim)\n`);
  process.exit(0);
}

// `schema-engine --datasource {"url":…} cli <command>`: the one-shot commands the CLI runs before starting the RPC
// session. Errors go to stderr as the native engine writes them (the CLI skips the first line, then reads
// error_code/message from the ERROR line).
if (args.command) {
  const { default: pg } = await import('pg');
  const url = new URL(args.datasource?.url ?? process.env.DATABASE_URL ?? '');
  const database = decodeURIComponent(url.pathname.slice(1)) || 'postgres';
  const where = `${url.hostname}:${url.port || 5432}`;
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const run = async (connectionString, sql) => {
    const client = new pg.Client({ connectionString });
    await client.connect();
    try {
      if (sql) await client.query(sql);
    } finally {
      await client.end();
    }
  };
  log('INFO', `wasm shim: cli ${args.command}`);
  try {
    if (args.command === 'can-connect-to-database') await run(url.toString());
    else if (args.command === 'create-database') await run(admin.toString(), `CREATE DATABASE "${database.replaceAll('"', '""')}"`);
    else if (args.command === 'drop-database') await run(admin.toString(), `DROP DATABASE IF EXISTS "${database.replaceAll('"', '""')}" WITH (FORCE)`);
    else throw new Error(`unknown cli command ${args.command}`);
    process.exit(0);
  } catch (error) {
    const code = error?.code;
    if (code === '3D000') log('ERROR', `Database \`${database}\` does not exist on the database server at \`${where}\`.`, { error_code: 'P1003' });
    else if (code === '28P01') log('ERROR', `Authentication failed against database server at \`${where}\`.`, { error_code: 'P1000' });
    else if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT') log('ERROR', `Can't reach database server at \`${where}\``, { error_code: 'P1001' });
    else log('ERROR', error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}

register();
const { openSchemaEngine } = await import('../lib/server/db/schemaEngine.ts');

const url = args.datasource?.url ?? process.env.DATABASE_URL;
if (!url) {
  log('ERROR', 'no datasource url (prisma.config.ts datasource.url / DATABASE_URL)');
  process.exit(1);
}
const schemaPath = args.datamodels[0] ? path.resolve(args.datamodels[0]) : path.join(here, '..', 'prisma', 'schema.prisma');
const { engine, close } = await openSchemaEngine(url, schemaPath);

// RPC names the CLI uses that the WASM engine spells differently.
const ALIASES = { getDatabaseVersion: 'version' };

async function call(method, params) {
  if (method === 'createDatabase') {
    // The CLI only asks when it could not connect; the pg adapter has already connected to the database by now.
    return { databaseName: new URL(url).pathname.slice(1) };
  }
  const name = ALIASES[method] ?? method;
  if (typeof engine[name] !== 'function') throw Object.assign(new Error(`${method} is not supported by the WASM schema engine shim`), { code: 'METHOD_NOT_FOUND' });
  const result = await engine[name](params ?? undefined);
  return result === undefined ? null : result;
}

const pending = new Set();
const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on('line', (line) => {
  if (!line.trim()) return;
  let request;
  try {
    request = JSON.parse(line);
  } catch {
    log('ERROR', `unparsable request: ${line.slice(0, 200)}`);
    return;
  }
  if (request.id === undefined || !request.method) return; // a response to one of our own requests: none are sent
  const work = call(request.method, request.params)
    .then((result) => ({ jsonrpc: '2.0', id: request.id, result }))
    .catch((error) => {
      const message = error instanceof Error ? error.message : String(error);
      log('ERROR', message);
      return {
        jsonrpc: '2.0',
        id: request.id,
        error: { code: 4466, message: 'An error happened. Check the data field for details.', data: { is_panic: false, message, error_code: error?.code ?? null, meta: error?.meta ?? null } },
      };
    })
    .then((response) => {
      process.stdout.write(`${JSON.stringify(response)}\n`);
    });
  pending.add(work);
  void work.finally(() => pending.delete(work));
});
lines.on('close', async () => {
  await Promise.all(pending);
  await close();
  process.exit(0);
});
