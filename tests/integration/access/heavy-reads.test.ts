import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as previewRoute from '../../../app/api/alert-rules/preview/route';
import * as failoversRoute from '../../../app/api/failovers/route';
import * as timelineRoute from '../../../app/api/timeline/route';
import { previewRule } from '../../../lib/server/alerts/preview-rule';
import { ValidationError } from '../../../lib/errors';
import { getHeavyGate } from '../../../lib/http/heavy-reads';
import { seedCluster, seedLease, seedTransitions } from '../helpers/seed';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { pointRoutesAtStore } from '../helpers/routes';

let db: MigratedDatabase;
let restore: () => void;

beforeAll(async () => {
  db = await createMigratedDatabase('heavy_reads');
  restore = pointRoutesAtStore(db.store);
});

afterAll(async () => {
  restore();
  await db.drop();
});

const preview = () =>
  previewRoute.POST(new Request('http://localhost/api/alert-rules/preview', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'flapping', params: { transitions: 3, windowSeconds: 600 }, hours: 1 }) }));

describe('heavy reads', () => {
  it('answers 429 with Retry-After while the heavy slots are taken, and serves again once one frees', async () => {
    const gate = getHeavyGate();
    const held: Array<() => void> = [];
    for (;;) {
      try {
        held.push(gate.acquire());
      } catch {
        break;
      }
    }
    const answers = [await timelineRoute.GET(new Request('http://localhost/api/timeline')), await failoversRoute.GET(new Request('http://localhost/api/failovers?format=csv')), await preview()];
    for (const answer of answers) {
      expect(answer.status).toBe(429);
      expect(answer.headers.get('retry-after')).toBe('2');
      expect(((await answer.json()) as { error: string }).error).toMatch(/^too many heavy reads at once \(\d+ running\); retry in 2 s$/);
    }
    held.pop()!();
    expect((await timelineRoute.GET(new Request('http://localhost/api/timeline'))).status).toBe(200);
    expect(gate.running()).toBe(held.length);
    for (const release of held) release();
    expect(gate.running()).toBe(0);
  });

  it('frees the slot when the heavy read fails', async () => {
    expect((await timelineRoute.GET(new Request('http://localhost/api/timeline?from=0000-01-01T00:00:00Z'))).status).toBe(400);
    expect(getHeavyGate().running()).toBe(0);
  });
});

describe('rule preview time budget', () => {
  const rule = { kind: 'flapping' as const, params: { transitions: 2, windowSeconds: 600 }, clusterPattern: '*', namespacePattern: '*', namePattern: '*', excludePatterns: [], forSeconds: 0, quietSeconds: 0, hours: 24, now: new Date('2026-11-24T12:00:00Z') };

  beforeAll(async () => {
    const cluster = await seedCluster(db.store, 'budget');
    for (let index = 0; index < 45; index += 1) {
      const lease = await seedLease(db.store, cluster, { namespace: 'kube-system', name: `controller-${index}` });
      await seedTransitions(db.store, lease, [0, 1, 2].map((minute) => ({ at: new Date(Date.UTC(2026, 10, 24, 10, minute)), kind: 'acquired' as const, cause: 'expiry' as const, toHolder: `pod-${minute}` })));
    }
  });

  it('replays in slices and stops with a 400 naming hours once past its budget', async () => {
    let now = 0;
    let checks = 0;
    const clock = () => {
      checks += 1;
      return now;
    };
    expect((await previewRule(db.store, rule, { budgetMs: 1_000, clock })).subjects).toBe(45);
    expect(checks).toBe(1 + Math.ceil(45 / 20));

    const slow = () => {
      now += 600;
      return now;
    };
    const refused = await previewRule(db.store, rule, { budgetMs: 1_000, clock: slow }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).message).toBe('invalid hours: replaying 24 h took longer than the 1 s budget; choose fewer hours or narrower patterns');
  });
});
