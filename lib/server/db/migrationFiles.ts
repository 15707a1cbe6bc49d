// Which migrations exist on disk and which the database has recorded. Kept apart from migrate.ts so the health
// route (bundled by Next.js) does not pull in the WASM schema engine.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The app's root folder: the nearest ancestor holding prisma/schema.prisma. Searching upwards works both from the
 * source tree (tsx) and from Next's build output inside .next/. */
function findAppRoot(): string {
  const starts = [path.dirname(fileURLToPath(import.meta.url)), process.cwd()];
  for (const start of starts) {
    let dir = start;
    for (;;) {
      if (fs.existsSync(path.join(dir, 'prisma', 'schema.prisma'))) return dir;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return process.cwd();
}

export const appRoot = findAppRoot();
export const defaultSchemaPath = path.join(appRoot, 'prisma', 'schema.prisma');
export const defaultMigrationsDir = path.join(appRoot, 'prisma', 'migrations');

/** Names of the migration folders on disk, in the order they apply. */
export function listMigrationNames(migrationsDir = defaultMigrationsDir): string[] {
  if (!fs.existsSync(migrationsDir)) return [];
  return fs
    .readdirSync(migrationsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(migrationsDir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort();
}

/** Migration names on disk that are not recorded as successfully applied in `_prisma_migrations`. */
export async function pendingMigrations(
  query: (sql: string) => Promise<{ rows: { migration_name: string }[] }>,
  migrationsDir = defaultMigrationsDir,
): Promise<string[]> {
  const onDisk = listMigrationNames(migrationsDir);
  let applied = new Set<string>();
  try {
    const { rows } = await query('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL');
    applied = new Set(rows.map((r) => r.migration_name));
  } catch (error) {
    if ((error as { code?: string }).code !== '42P01') throw error; // no table yet: nothing applied
  }
  return onDisk.filter((name) => !applied.has(name));
}
