import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as previewRoute from '../../../app/api/alert-rules/preview/route';
import * as failoversRoute from '../../../app/api/failovers/route';
import * as timelineRoute from '../../../app/api/timeline/route';
import { previewRule } from '../../../lib/server/alerts/preview-rule';
import { ValidationError } from '../../../lib/errors';
import { getHeavyGate } from '../../../lib/http/heavy-reads';
import { seedCluster, seedLease, seedTransitions } from '../helpers/seed';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { callGet, pointRoutesAtStore } from '../helpers/routes';
import { callText, expectedCsvRows, parseCsvRecords } from '../audit/support';
import type { FailoversResponse } from '../../../lib/api/audit-dto';
import { failoverCsvColumns } from '../../../lib/audit/csv';

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
    const served = await timelineRoute.GET(new Request('http://localhost/api/timeline'));
    expect(served.status).toBe(200);
    // The answer holds its slot until its last byte is read.
    expect(gate.running()).toBe(held.length + 1);
    await served.text();
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

describe('the failover export streams', () => {
  const start = Date.UTC(2026, 9, 1, 0, 0);
  const window = 'from=2026-10-01T00:00:00Z&to=2026-10-02T00:00:00Z&cluster=export';
  let total = 0;

  beforeAll(async () => {
    const cluster = await seedCluster(db.store, 'export');
    // 2,600 failovers over three leases with gaps of 5 s to 3 min: runs (bursts), lone failovers and missed changes between them.
    const steps = [5_000, 30_000, 90_000, 180_000, 12_000, 61_000];
    for (let lease = 0; lease < 3; lease += 1) {
      const row = await seedLease(db.store, cluster, { namespace: 'ops', name: `worker-${lease}` });
      let at = start + lease * 7_000;
      const changes = Array.from({ length: 866 + lease }, (_, i) => {
        at += steps[(i * (lease + 1)) % steps.length]!;
        return i % 97 === 5
          ? { at: new Date(at), kind: 'missed' as const, cause: 'unknown' as const, toHolder: `pod-${i}`, missedCount: 2 }
          : { at: new Date(at), kind: 'acquired' as const, cause: 'expiry' as const, fromHolder: `pod-${i - 1}`, toHolder: `pod-${i}` };
      });
      total += changes.length;
      await seedTransitions(db.store, row, changes);
    }
  });

  it('sends every failover of the range in batches, with the same burst starts as the JSON audit', async () => {
    const [json, csv] = await Promise.all([
      callGet<FailoversResponse>(failoversRoute.GET, `/api/failovers?${window}&limit=100000`),
      callText(failoversRoute.GET, `/api/failovers?${window}&limit=100000&format=csv`),
    ]);
    expect(json.body.failovers).toHaveLength(total);
    expect(json.body.bursts.length).toBeGreaterThan(10);
    expect(csv.headers.get('x-leasetrail-truncated')).toBe('false');
    const { header, rows } = parseCsvRecords(csv.text);
    expect(header).toEqual([...failoverCsvColumns]);
    expect(rows).toEqual(expectedCsvRows(json.body.failovers, json.body.bursts));
  });

  it('says up front when the limit cut the export', async () => {
    const csv = await callText(failoversRoute.GET, `/api/failovers?${window}&limit=1500&format=csv`);
    expect(csv.headers.get('x-leasetrail-truncated')).toBe('true');
    expect(parseCsvRecords(csv.text).rows).toHaveLength(1_500);
  });

  it('holds its heavy slot while the client reads, and frees it when the client goes away', async () => {
    const gate = getHeavyGate();
    const response = await failoversRoute.GET(new Request(`http://localhost/api/failovers?${window}&limit=100000&format=csv`));
    expect(gate.running()).toBe(1);
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe(`${failoverCsvColumns.join(',')}\r\n`);
    await reader.read();
    expect(gate.running()).toBe(1);
    await reader.cancel();
    expect(gate.running()).toBe(0);
    // The cursor's connection went back to the pool: the pool still answers with every client free.
    expect((await db.store.pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one).toBe(1);
    expect(db.store.pool.idleCount).toBe(db.store.pool.totalCount);
  });
});
