import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lib/errors';
import { previewRule } from '../../../lib/server/alerts/preview-rule';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { seedCluster, seedLease, seedTransitions } from '../helpers/seed';

// The preview loads at most a capped number of changes of leader: past it, a 400 instead of a month
// of a flapping fleet held in memory.

let db: MigratedDatabase;
const at = (minute: number) => new Date(Date.UTC(2026, 10, 24, 10, minute));
const rule = { kind: 'flapping' as const, params: { transitions: 2, windowSeconds: 600 }, clusterPattern: '*', namespacePattern: '*', namePattern: '*', excludePatterns: [], forSeconds: 0, quietSeconds: 0, hours: 24, now: new Date('2026-11-24T12:00:00Z') };
const budget = { budgetMs: 60_000, clock: () => 0 };

beforeAll(async () => {
  db = await createMigratedDatabase('preview_cap');
  const cluster = await seedCluster(db.store, 'cap');
  const lease = await seedLease(db.store, cluster, { namespace: 'kube-system', name: 'kube-scheduler' });
  await seedTransitions(db.store, lease, [0, 1, 2, 3, 4, 5].map((minute) => ({ at: at(minute), kind: 'acquired' as const, cause: 'expiry' as const, toHolder: `pod-${minute}` })));
});

afterAll(async () => {
  await db.drop();
});

describe('the preview row cap', () => {
  it('replays history within the cap and refuses with a 400 naming hours past it', async () => {
    expect((await previewRule(db.store, rule, { ...budget, maxFacts: 6 })).firings).toBe(1);
    const refused = await previewRule(db.store, rule, { ...budget, maxFacts: 5 }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).message).toBe('invalid hours: more than 5 changes of leader in 24 h of history; choose fewer hours');
  });
});
