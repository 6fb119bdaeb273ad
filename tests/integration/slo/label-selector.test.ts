import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sloRoute from '../../../app/api/slos/[id]/route';
import * as slosRoute from '../../../app/api/slos/route';
import * as rulesRoute from '../../../app/api/alert-rules/route';
import { matchesLabelSelector, parseLabelSelector } from '../../../lib/leases/label-selector';
import { loggerFor } from '../../../lib/log';
import { AlertEngine } from '../../../lib/server/alerts/engine';
import { summarizeElectedLeases } from '../../../lib/store/timeline-rollups';
import type { Cluster } from '../../../lib/store/generated/prisma/client';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { pointRoutesAtStore } from '../helpers/routes';
import { seedCluster, seedLease, seedTransitions } from '../helpers/seed';
import { callRoute } from '../alerts/support';

// Leases of one cluster with known labels and a known history: `etcd` was leaderless 10 min a day ago,
// `ingest` 20 min a day ago, `burning` 6 min in the last 10 min; the others always led.
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const now = Date.now();
const ago = (ms: number) => new Date(now - ms);

let db: MigratedDatabase;
let restore: () => void;
let cluster: Cluster;

const leases: Array<{ name: string; labels: Record<string, string>; leaderless?: { at: number; ms: number } }> = [
  { name: 'etcd', labels: { tier: 'control-plane', app: 'etcd', replicas: '3' }, leaderless: { at: DAY, ms: 10 * MINUTE } },
  { name: 'scheduler', labels: { tier: 'control-plane', 'app.kubernetes.io/name': 'kube-scheduler', replicas: '2' } },
  { name: 'ingest', labels: { tier: 'data', app: 'ingest' }, leaderless: { at: DAY, ms: 20 * MINUTE } },
  { name: 'plain', labels: {} },
  { name: 'burning', labels: { tier: 'edge', alerting: 'on' }, leaderless: { at: 10 * MINUTE, ms: 6 * MINUTE } },
  { name: 'calm', labels: { tier: 'edge', alerting: 'off' } },
];

beforeAll(async () => {
  db = await createMigratedDatabase('slo_labels');
  restore = pointRoutesAtStore(db.store);
  cluster = await seedCluster(db.store, 'prod-eu', { lastSeenAt: new Date(now), createdAt: ago(3 * DAY) });
  for (const spec of leases) {
    const lease = await seedLease(db.store, cluster, { namespace: 'apps', name: spec.name, labels: spec.labels, holderIdentity: 'b', leaseDurationSeconds: 15, createdAt: ago(3 * DAY), observedAt: ago(3 * DAY) });
    const history: Parameters<typeof seedTransitions>[2] = [{ at: ago(3 * DAY), kind: 'acquired', cause: 'first', toHolder: 'a', eventKey: `${spec.name}-first` }];
    if (spec.leaderless) {
      history.push({ at: ago(spec.leaderless.at), kind: 'expired', eventKey: `${spec.name}-expired` });
      history.push({ at: ago(spec.leaderless.at - spec.leaderless.ms), kind: 'acquired', cause: 'expiry', toHolder: 'b', leaderlessMs: spec.leaderless.ms, eventKey: `${spec.name}-acquired` });
    }
    await seedTransitions(db.store, lease, history);
  }
});

afterAll(async () => {
  restore();
  await db.drop();
});

type Report = { slo: { labelSelector: string }; status: { leaderlessSeconds: number }; leases: Array<{ name: string; leaderlessSeconds: number }> };

async function createSlo(name: string, labelSelector: string) {
  const created = await callRoute<{ slo: { id: number; labelSelector: string }; error?: string }>(slosRoute.POST, 'POST', '/api/slos', {
    body: { name, namespacePattern: 'apps', labelSelector, targetPercent: 99.9, windowDays: 2 },
  });
  expect(created.status).toBe(201);
  return created.body.slo;
}

async function report(id: number) {
  const answer = await callRoute<Report>(sloRoute.GET, 'GET', `/api/slos/${id}`, { params: { id: String(id) } });
  expect(answer.status).toBe(200);
  return answer.body;
}

describe('an SLO scoped by a label selector', () => {
  it('counts only the leases whose labels match, and their leaderless time only', async () => {
    const slo = await createSlo('control plane', ' tier=control-plane ');
    expect(slo.labelSelector).toBe('tier=control-plane');
    const body = await report(slo.id);
    expect(body.slo.labelSelector).toBe('tier=control-plane');
    expect(body.leases.map((lease) => lease.name).sort()).toEqual(['etcd', 'scheduler']);
    expect(body.status.leaderlessSeconds).toBeCloseTo(600, 0);
  });

  it('takes set-based and existence requirements', async () => {
    const slo = await createSlo('numbered, not etcd', 'replicas,app notin (etcd),!alerting');
    expect((await report(slo.id)).leases.map((lease) => lease.name)).toEqual(['scheduler']);
  });

  it('refuses a selector kubectl would refuse with a 400 that says why, and stores nothing', async () => {
    for (const [labelSelector, message] of [
      ['tier in ()', /invalid label selector "tier in \(\)": "in" needs at least one value/],
      ['Tier.Example.com/x=y', /prefix must be a lowercase DNS subdomain/],
      ['tier=control plane', /expected "," between requirements/],
    ] as const) {
      const answer = await callRoute<{ error: string }>(slosRoute.POST, 'POST', '/api/slos', { body: { name: `bad ${labelSelector}`, labelSelector, targetPercent: 99.9 } });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatch(message);
    }
    const wrongType = await callRoute<{ error: string }>(slosRoute.POST, 'POST', '/api/slos', { body: { name: 'bad type', labelSelector: 3, targetPercent: 99.9 } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error).toMatch(/labelSelector must be a string/);
    expect(await db.store.prisma.slo.count({ where: { name: { startsWith: 'bad ' } } })).toBe(0);
  });

  it('moves a lease whose labels change in or out of scope with its whole window', async () => {
    const slo = await createSlo('data tier', 'tier=data');
    expect((await report(slo.id)).status.leaderlessSeconds).toBeCloseTo(1_200, 0);
    await db.store.prisma.lease.update({ where: { clusterId_namespace_name: { clusterId: cluster.id, namespace: 'apps', name: 'ingest' } }, data: { labels: { tier: 'archive' } } });
    const after = await report(slo.id);
    expect(after.leases).toEqual([]);
    expect(after.status.leaderlessSeconds).toBe(0);
    await db.store.prisma.lease.update({ where: { clusterId_namespace_name: { clusterId: cluster.id, namespace: 'apps', name: 'plain' } }, data: { labels: { tier: 'data' } } });
    expect((await report(slo.id)).leases.map((lease) => lease.name)).toEqual(['plain']);
    await db.store.prisma.lease.update({ where: { clusterId_namespace_name: { clusterId: cluster.id, namespace: 'apps', name: 'ingest' } }, data: { labels: { tier: 'data', app: 'ingest' } } });
    await db.store.prisma.lease.update({ where: { clusterId_namespace_name: { clusterId: cluster.id, namespace: 'apps', name: 'plain' } }, data: { labels: {} } });
  });

  it('is what an slo_burn rule judges: the burning lease in scope fires, the same lease out of scope does not', async () => {
    const burning = await createSlo('alerting on', 'tier=edge,alerting=on');
    const calm = await createSlo('alerting off', 'tier=edge,alerting!=on');
    const rules = [];
    for (const slo of [burning, calm]) {
      const rule = await callRoute<{ rule: { id: number } }>(rulesRoute.POST, 'POST', '/api/alert-rules', { body: { name: `${slo.id} burning`, kind: 'slo_burn', params: { sloId: slo.id } } });
      expect(rule.status).toBe(201);
      rules.push(rule.body.rule.id);
    }
    const engine = new AlertEngine({ store: db.store, log: loggerFor('slo-labels-test'), delivery: false });
    await engine.evaluate(['slo_burn'], Date.now());
    expect(await db.store.prisma.alert.count({ where: { ruleId: rules[0], state: 'firing' } })).toBe(1);
    expect(await db.store.prisma.alert.count({ where: { ruleId: rules[1] } })).toBe(0);
  });
});

describe('the SQL form of a label selector', () => {
  it('selects exactly the leases the parser says match, on random selectors', async () => {
    let seed = 20;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    const keys = ['tier', 'app', 'replicas', 'alerting', 'app.kubernetes.io/name', 'missing'];
    const values = ['control-plane', 'data', 'edge', 'etcd', 'on', 'off', '2', '3', 'kube-scheduler'];
    const requirement = () => {
      const key = pick(keys);
      switch (pick(['=', '!=', 'in', 'notin', 'exists', '!', '>', '<'])) {
        case '=':
          return `${key}=${pick([...values, ''])}`;
        case '!=':
          return `${key}!=${pick(values)}`;
        case 'in':
          return `${key} in (${pick(values)},${pick([...values, ''])})`;
        case 'notin':
          return `${key} notin (${pick(values)})`;
        case 'exists':
          return key;
        case '!':
          return `!${key}`;
        case '>':
          return `${key}>${Math.floor(random() * 4)}`;
        default:
          return `${key}<${Math.floor(random() * 4)}`;
      }
    };
    const byName = new Map(leases.map((lease) => [lease.name, lease.labels]));
    for (let i = 0; i < 60; i++) {
      const text = Array.from({ length: 1 + Math.floor(random() * 3) }, requirement).join(',');
      const selector = parseLabelSelector(text);
      const inSql = await summarizeElectedLeases(db.store, {
        from: now - DAY,
        to: now,
        gaps: [],
        scope: { clusterPattern: '*', namespacePattern: 'apps', leasePattern: '*', labelSelector: text },
      });
      const expected = [...byName].filter(([, labels]) => matchesLabelSelector(selector, labels)).map(([name]) => name);
      expect(inSql.map((lease) => lease.name).sort(), text).toEqual(expected.sort());
    }
  });
});
