import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../../../lib/store/generated/prisma/client';
import { migrate } from '../../../lib/store/migrate';
import { createEmptyDatabase, type TestDatabase } from '../helpers/database';
import { partitionedTables } from '../../../lib/store/partitions';
import { diffPartitioning, diffSchemaWithDatabase, readDatamodel } from '../helpers/schema-diff';

let db: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  db = await createEmptyDatabase('schema');
  await migrate(db.url);
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
});

afterAll(async () => {
  await client.end();
  await db.drop();
});

describe('the migrated database', () => {
  it('matches schema.prisma: models, columns, types, nullability, defaults, indexes, unique and foreign keys', async () => {
    const datamodel = await readDatamodel();
    expect(await diffSchemaWithDatabase(datamodel, client)).toEqual([]);
  });

  it('partitions the tables lib/store/partitions.ts maintains, each with a DEFAULT partition and every index on every partition', async () => {
    expect(await diffPartitioning(partitionedTables, client)).toEqual([]);
    const { rows } = await client.query<{ name: string }>(`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '"RenewSample"'::regclass`);
    const today = new Date().toISOString().slice(0, 10).replaceAll('-', '');
    expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining(['RenewSample_default', `RenewSample_d${today}`]));
  });

  it('is what the generated client was generated from', async () => {
    const datamodel = await readDatamodel();
    expect(Object.values(Prisma.ModelName).sort()).toEqual(datamodel.models.map((m) => m.name).sort());
    const lease = datamodel.models.find((m) => m.name === 'Lease');
    const scalars = lease?.fields.filter((f) => f.kind !== 'object').map((f) => f.name);
    expect(Object.values(Prisma.LeaseScalarFieldEnum)).toEqual(scalars);
  });

  it('reports every kind of drift, so a match means something', async () => {
    const drifted = await createEmptyDatabase('drift');
    await migrate(drifted.url);
    const other = new pg.Client({ connectionString: drifted.url });
    await other.connect();
    try {
      await other.query(`
        ALTER TABLE "Lease" ALTER COLUMN "namespace" DROP NOT NULL;
        ALTER TABLE "Transition" ALTER COLUMN "leaderlessMs" TYPE BIGINT;
        ALTER TABLE "RenewRollup" ALTER COLUMN "worstRenewTime" TYPE TIMESTAMPTZ(3);
        DROP INDEX "Transition_at_leaseId_idx";
        DROP INDEX "Transition_leaseId_eventKey_key";
        ALTER TABLE "Annotation" DROP CONSTRAINT "Annotation_transitionId_fkey";
        ALTER TABLE "Cluster" ADD COLUMN "extra" TEXT;
        ALTER TYPE "AcquireCause" ADD VALUE 'surprise';
        CREATE INDEX "Lease_name_idx" ON "Lease"("name");
      `);
      await other.query(`
        CREATE INDEX "RenewRollup_extra_idx" ON ONLY "RenewRollup" ("sampleCount");
        ALTER TABLE "RenewRollup" DETACH PARTITION "RenewRollup_default";
      `);
      expect(await diffPartitioning(partitionedTables, other)).toEqual(
        expect.arrayContaining(['table RenewRollup has no DEFAULT partition', expect.stringMatching(/^partition RenewRollup_m\d{6} lacks index RenewRollup_extra_idx of its parent$/)]),
      );
      const problems = await diffSchemaWithDatabase(await readDatamodel(), other);
      expect(problems).toEqual(
        expect.arrayContaining([
          'column Lease.namespace is nullable, expected NOT NULL',
          'column Transition.leaderlessMs is int8, expected int4',
          'column RenewRollup.worstRenewTime has precision 3, expected 6',
          'btree index on Transition(at, leaseId) is missing',
          'unique index on Transition(leaseId, eventKey) is missing',
          'foreign key Annotation(transitionId) -> Transition(id) is missing',
          'column Cluster.extra exists in the database but not in schema.prisma',
          'enum AcquireCause has values [first,release,expiry,early_takeover,preferred_holder,unknown,surprise] instead of [first,release,expiry,early_takeover,preferred_holder,unknown]',
          'index Lease_name_idx on Lease(name) exists in the database but not in schema.prisma',
        ]),
      );
    } finally {
      await other.end();
      await drifted.drop();
    }
  });
});
