// One pg pool per process, shared by Prisma (through the driver adapter) and by raw users such as pg-boss-free
// queries and the socket.io postgres adapter. DATABASE_URL is read on first use, so server/start.ts can start the
// embedded PostgreSQL and set it before anything touches the database.
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../../generated/prisma/client';

export type { PrismaClient };

interface DbState {
  pool?: pg.Pool;
  prisma?: PrismaClient;
}

// Kept on globalThis so Next.js dev reloads and the custom server share one pool instead of leaking connections.
const state: DbState = ((globalThis as Record<string, unknown>).__masteringRoomDb ??= {}) as DbState;

export function getDatabaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set (server/start.ts sets it when it starts the embedded PostgreSQL).');
  return url;
}

export function getPgPool(): pg.Pool {
  if (!state.pool) {
    state.pool = new pg.Pool({
      connectionString: getDatabaseUrl(),
      max: Number(process.env.PG_POOL_MAX ?? 10),
      application_name: process.env.PG_APPLICATION_NAME ?? 'mastering-room',
    });
    // An idle client losing its connection (server restart) must not crash the process; the pool reconnects.
    state.pool.on('error', (error) => console.error('[db] idle client error:', error.message));
  }
  return state.pool;
}

export function getPrisma(): PrismaClient {
  state.prisma ??= new PrismaClient({ adapter: new PrismaPg(getPgPool()) });
  return state.prisma;
}

/** Close Prisma and the pool (graceful shutdown, end of a test file). The next get* call opens new ones. */
export async function closeDatabase(): Promise<void> {
  const { prisma, pool } = state;
  state.prisma = undefined;
  state.pool = undefined;
  await prisma?.$disconnect();
  await pool?.end();
}
