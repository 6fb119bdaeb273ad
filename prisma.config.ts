import { defineConfig } from 'prisma/config';

// Only the Prisma CLI reads this file. `prisma generate` needs no database; the app connects
// through lib/store/client.ts and migrates with lib/store/migrate.ts.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost/leasetrail' },
});
