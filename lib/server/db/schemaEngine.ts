// Prisma's schema engine compiled to WASM (@prisma/schema-engine-wasm), talking to PostgreSQL through the pg driver
// adapter. This replaces the native `schema-engine` binary the Prisma CLI would download, which these machines
// cannot reach. The package's entry imports the .wasm file as an ES module (a bundler feature Node 20 lacks), so
// the module is instantiated here by hand from its wasm-bindgen glue.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SchemaEngine as SchemaEngineType } from '@prisma/schema-engine-wasm';
import pg from 'pg';

export type SchemaEngine = SchemaEngineType;

const require = createRequire(import.meta.url);

let enginePromise: Promise<typeof import('@prisma/schema-engine-wasm')> | undefined;

async function loadEngineModule(): Promise<typeof import('@prisma/schema-engine-wasm')> {
  enginePromise ??= (async () => {
    // Panics inside the engine are otherwise reported as an opaque "unreachable".
    (globalThis as Record<string, unknown>).PRISMA_WASM_PANIC_REGISTRY ??= { set_message: (m: string) => console.error(`[schema-engine] ${m}`) };
    const pkgDir = path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
    const glue = (await import(path.join(pkgDir, 'schema_engine_bg.js'))) as typeof import('@prisma/schema-engine-wasm') & {
      __wbg_set_wasm(exports: WebAssembly.Exports): void;
    };
    const bytes = fs.readFileSync(path.join(pkgDir, 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': glue as unknown as WebAssembly.ModuleImports });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue;
  })();
  return enginePromise;
}

interface ConnectionParts {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  ssl?: pg.ConnectionConfig['ssl'];
}

/** Connection settings as separate fields: with `connectionString`, adapter-pg's shadow database would silently
 * become the main database (the string overrides the database name). */
export function connectionParts(databaseUrl: string): ConnectionParts {
  const u = new URL(databaseUrl);
  const sslmode = u.searchParams.get('sslmode');
  return {
    host: decodeURIComponent(u.hostname) || 'localhost',
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres',
    ...(sslmode && sslmode !== 'disable' ? { ssl: { rejectUnauthorized: sslmode === 'verify-full' } } : {}),
  };
}

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;
const COLUMN_TYPE_CHARACTER = 6; // ColumnTypeEnum.Character of @prisma/driver-adapter-utils

type Queryable = {
  performIO(query: object): Promise<{ fields: { dataTypeID: number }[] }>;
  queryRaw(query: object): Promise<{ columnTypes: number[] }>;
  startTransaction?: (...args: unknown[]) => Promise<object>;
};

/**
 * adapter-pg 7.10 has no column type for PostgreSQL's internal single-byte `"char"` (OID 18), which the schema
 * engine reads while describing the catalog (pg_constraint.contype) and expects as a Character column. pg already
 * parses it as a one-character string; only the column type needs fixing. Applied per instance (and to its
 * transactions) so the application's own Prisma client is not affected.
 */
function readCharAsText<T extends object>(queryable: T): T {
  const q = queryable as unknown as Queryable;
  const charColumns = new WeakMap<object, number[]>();
  const performIO = q.performIO.bind(q);
  q.performIO = async (query) => {
    const result = await performIO(query);
    const indices: number[] = [];
    (result.fields ?? []).forEach((field, i) => {
      if (field.dataTypeID === PG_CHAR_OID) {
        field.dataTypeID = PG_TEXT_OID;
        indices.push(i);
      }
    });
    if (indices.length) charColumns.set(query, indices);
    return result;
  };
  const queryRaw = q.queryRaw.bind(q);
  q.queryRaw = async (query) => {
    const result = await queryRaw(query);
    for (const i of charColumns.get(query) ?? []) result.columnTypes[i] = COLUMN_TYPE_CHARACTER;
    return result;
  };
  if (q.startTransaction) {
    const startTransaction = q.startTransaction.bind(q);
    q.startTransaction = async (...args) => readCharAsText(await startTransaction(...args));
  }
  return queryable;
}

/**
 * adapter-pg's own shadow database handling drops the database while its pool still holds connections (a 5 s stall
 * per diff). This factory creates the shadow database itself and drops it WITH (FORCE) after closing the pool.
 */
class ShadowSafePgFactory {
  readonly provider = 'postgres' as const;
  readonly adapterName = '@prisma/adapter-pg';
  private readonly main: PrismaPg;

  constructor(private readonly parts: ConnectionParts) {
    this.main = new PrismaPg({ ...parts, max: 2 });
  }

  private readonly opened: { dispose(): Promise<void> }[] = [];

  async connect() {
    const adapter = readCharAsText(await this.main.connect());
    this.opened.push(adapter);
    return adapter;
  }

  /** The engine's free() leaves the adapter's pool open (and connected to the database, which blocks using it as
   * a template or dropping it): dispose what we handed out. */
  async disposeAll(): Promise<void> {
    await Promise.all(this.opened.splice(0).map((a) => a.dispose().catch(() => undefined)));
  }

  async connectToShadowDb() {
    const name = `prisma_shadow_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = new pg.Client({ ...this.parts });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const adapter = readCharAsText(await new PrismaPg({ ...this.parts, database: name, max: 2 }).connect());
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      const dropper = new pg.Client({ ...this.parts });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await dropper.end();
    };
    return adapter;
  }
}

export function readSchemaFiles(schemaPath: string): { files: { path: string; content: string }[] } {
  return { files: [{ path: schemaPath, content: fs.readFileSync(schemaPath, 'utf8') }] };
}

export interface OpenSchemaEngine {
  engine: SchemaEngine;
  /** Free the engine and close its connections. */
  close(): Promise<void>;
}

/** A schema engine bound to `databaseUrl`. */
export async function openSchemaEngine(databaseUrl: string, schemaPath: string): Promise<OpenSchemaEngine> {
  const mod = await loadEngineModule();
  const schema = fs.readFileSync(schemaPath, 'utf8');
  const pgFactory = new ShadowSafePgFactory(connectionParts(databaseUrl));
  const factory = bindMigrationAwareSqlAdapterFactory(pgFactory as unknown as PrismaPg);
  const log = (message: string) => {
    if (process.env.DEBUG_SCHEMA_ENGINE) console.error(`[schema-engine] ${message}`);
  };
  const engine = await mod.SchemaEngine.new({ datamodels: [[schemaPath, schema]] }, log, factory);
  return {
    engine,
    async close() {
      engine.free();
      await pgFactory.disposeAll();
    },
  };
}
