// Prisma 7 reads the datasource URL from here, not from schema.prisma. DATABASE_URL may be unset (e.g. during
// `prisma generate` in postinstall, or when the app runs its own embedded PostgreSQL and sets it at start-up).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
