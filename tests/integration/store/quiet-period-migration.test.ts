import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultQuietSeconds } from '../../../lib/alerts/params';
import { defaultMigrationsDir, migrate } from '../../../lib/store/migrate';
import { createEmptyDatabase } from '../helpers/database';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

const migration = '20261207071000_quiet_period_per_kind';

type RuleSeed = { name: string; kind: string; quietSeconds: number; createdBeforeCutover: boolean };

describe(migration, () => {
  it('moves the rules that kept the old 300 s default to their kind’s quiet period, keeps chosen values, and audits each move', async () => {
    const db = await createEmptyDatabase('quiet_migration');
    cleanups.push(db.drop);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'leasetrail-migrations-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await cp(defaultMigrationsDir, dir, { recursive: true });
    await rm(path.join(dir, migration), { recursive: true });
    await migrate(db.url, { dir });

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    cleanups.push(() => client.end());
    const rules: RuleSeed[] = [
      { name: 'old leaderless', kind: 'leaderless', quietSeconds: 300, createdBeforeCutover: true },
      { name: 'old stale', kind: 'stale_data', quietSeconds: 300, createdBeforeCutover: true },
      { name: 'old latency', kind: 'renew_latency', quietSeconds: 300, createdBeforeCutover: true },
      { name: 'old flapping', kind: 'flapping', quietSeconds: 300, createdBeforeCutover: true },
      { name: 'old leaderless 45', kind: 'leaderless', quietSeconds: 45, createdBeforeCutover: true },
      { name: 'old leaderless set to 300', kind: 'leaderless', quietSeconds: 300, createdBeforeCutover: true },
      { name: 'new leaderless 300', kind: 'leaderless', quietSeconds: 300, createdBeforeCutover: false },
    ];
    const params: Record<string, unknown> = { leaderless: { seconds: 30 }, stale_data: { seconds: 300 }, renew_latency: { windowSeconds: 600, percentOfLeaseDuration: 60, minSamples: 5 }, flapping: { transitions: 3, windowSeconds: 600 } };
    const ids = new Map<string, number>();
    for (const rule of rules) {
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO "AlertRule" (name, kind, params, "quietSeconds", "createdAt", "updatedAt")
         SELECT $1, $2::"AlertRuleKind", $3::jsonb, $4, finished_at + CASE WHEN $5 THEN interval '-1 day' ELSE interval '1 second' END, now()
           FROM "_prisma_migrations" WHERE migration_name = '20261207060000_silences_slos_grouping'
         RETURNING id`,
        [rule.name, rule.kind, JSON.stringify(params[rule.kind]), rule.quietSeconds, rule.createdBeforeCutover],
      );
      ids.set(rule.name, rows[0]!.id);
    }
    // Someone set 300 by hand after per-kind defaults existed: a choice, kept.
    await client.query(`INSERT INTO "AuditEntry" (actor, action, "targetKind", "targetId", detail) VALUES ('alice', 'update', 'rule', $1, $2::jsonb)`, [
      String(ids.get('old leaderless set to 300')),
      JSON.stringify({ name: 'old leaderless set to 300', changes: { quietSeconds: { from: 0, to: 300 } } }),
    ]);

    const result = await migrate(db.url);
    expect(result.applied).toEqual([migration]);

    const { rows } = await client.query<{ name: string; quietSeconds: number }>(`SELECT name, "quietSeconds" FROM "AlertRule" ORDER BY id`);
    expect(Object.fromEntries(rows.map((row) => [row.name, row.quietSeconds]))).toEqual({
      'old leaderless': defaultQuietSeconds.leaderless,
      'old stale': defaultQuietSeconds.stale_data,
      'old latency': defaultQuietSeconds.renew_latency,
      'old flapping': 300,
      'old leaderless 45': 45,
      'old leaderless set to 300': 300,
      'new leaderless 300': 300,
    });
    expect(defaultQuietSeconds).toMatchObject({ leaderless: 0, stale_data: 0, renew_latency: 120, flapping: 300 });

    const audit = await client.query<{ actor: string; targetId: string; detail: { changes: unknown; reason: string } }>(
      `SELECT actor, "targetId", detail FROM "AuditEntry" WHERE actor = 'migration' ORDER BY "targetId"::int`,
    );
    expect(audit.rows.map((row) => [row.targetId, row.detail.changes])).toEqual([
      [String(ids.get('old leaderless')), { quietSeconds: { from: 300, to: 0 } }],
      [String(ids.get('old stale')), { quietSeconds: { from: 300, to: 0 } }],
      [String(ids.get('old latency')), { quietSeconds: { from: 300, to: 120 } }],
    ]);
    expect(audit.rows[0]!.detail.reason).toMatch(/old 300 s default/);
  });
});
