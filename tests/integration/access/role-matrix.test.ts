import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Role } from '../../../lib/auth/roles';
import { createApiToken } from '../../../lib/store/api-tokens';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { pointRoutesAtStore } from '../helpers/routes';
import { seedCluster } from '../helpers/seed';
import { fillPattern, listApiRoutes, type ApiRoute } from './api-routes';

// Proxy mode with no proxy in front: a request is anonymous unless it carries an API token.
vi.hoisted(() => {
  process.env.LEASETRAIL_AUTH = 'proxy';
  process.env.LEASETRAIL_TRUSTED_PROXIES = '127.0.0.1';
});

let db: MigratedDatabase;
let restore: () => void;
let receiver: http.Server;
let receiverUrl: string;
const tokens = {} as Record<Role, string>;
let routes: ApiRoute[];

beforeAll(async () => {
  db = await createMigratedDatabase('role_matrix');
  restore = pointRoutesAtStore(db.store);
  for (const role of ['viewer', 'editor', 'admin'] as const) {
    tokens[role] = (await createApiToken(db.store, { name: role, role, expiresAt: new Date(Date.now() + 86_400_000), createdBy: 'test' })).token;
  }
  receiver = http.createServer((_req, res) => res.writeHead(204).end());
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  await seedCluster(db.store, 'matrix');
  routes = await listApiRoutes();
});

afterAll(async () => {
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  restore();
  await db.drop();
});

type Fixture = { params?: Record<string, string>; body?: unknown; query?: string; status: number };

let sequence = 0;
const unique = (prefix: string) => `${prefix}-${++sequence}`;

async function seedRule(): Promise<string> {
  const rule = await db.store.prisma.alertRule.create({ data: { name: unique('rule'), kind: 'flapping', params: { transitions: 3, windowSeconds: 600 } } });
  return String(rule.id);
}

async function seedChannel(): Promise<string> {
  const channel = await db.store.prisma.notificationChannel.create({ data: { name: unique('channel'), kind: 'webhook', config: { url: receiverUrl, secret: 'a-long-enough-secret', allowPrivateTargets: false } } });
  return String(channel.id);
}

async function seedAlert(): Promise<string> {
  const ruleId = Number(await seedRule());
  const now = new Date();
  const alert = await db.store.prisma.alert.create({
    data: { ruleId, subjectKey: unique('matrix/kube-system/lease'), state: 'firing', summary: 'flapping', startedAt: now, firingAt: now, lastEvaluatedAt: now, lastActiveAt: now },
  });
  return String(alert.id);
}

async function seedSilence(): Promise<string> {
  const silence = await db.store.prisma.silence.create({ data: { startsAt: new Date(), endsAt: new Date(Date.now() + 3_600_000), comment: 'maintenance', createdBy: 'test' } });
  return String(silence.id);
}

async function seedSlo(): Promise<string> {
  const slo = await db.store.prisma.slo.create({ data: { name: unique('slo'), targetPercent: 99.9, windowDays: 7, createdBy: 'test' } });
  return String(slo.id);
}

// What the role that may gets for each mutating route, given real data to act on.
const fixtures: Record<string, () => Promise<Fixture>> = {
  'POST /api/alert-rules': async () => ({ body: { name: unique('rule'), kind: 'flapping', params: { transitions: 3, windowSeconds: 600 } }, status: 201 }),
  'PATCH /api/alert-rules/[id]': async () => ({ params: { id: await seedRule() }, body: { enabled: false }, status: 200 }),
  'DELETE /api/alert-rules/[id]': async () => ({ params: { id: await seedRule() }, status: 204 }),
  'POST /api/alert-rules/preview': async () => ({ body: { kind: 'flapping', params: { transitions: 3, windowSeconds: 600 }, hours: 1 }, status: 200 }),
  'POST /api/alerts/[id]/ack': async () => ({ params: { id: await seedAlert() }, body: { note: 'on it' }, status: 200 }),
  'POST /api/alerts/[id]/silence': async () => ({ params: { id: await seedAlert() }, body: { until: new Date(Date.now() + 3_600_000).toISOString() }, status: 200 }),
  'DELETE /api/alerts/[id]/silence': async () => ({ params: { id: await seedAlert() }, status: 200 }),
  'POST /api/annotations': async () => ({ body: { text: 'maintenance', at: new Date().toISOString(), cluster: 'matrix' }, status: 201 }),
  'POST /api/channels': async () => ({ body: { name: unique('channel'), kind: 'webhook', config: { url: receiverUrl, secret: 'a-long-enough-secret' } }, status: 201 }),
  'PATCH /api/channels/[id]': async () => ({ params: { id: await seedChannel() }, body: { enabled: false }, status: 200 }),
  'DELETE /api/channels/[id]': async () => ({ params: { id: await seedChannel() }, status: 204 }),
  'POST /api/channels/[id]/test': async () => ({ params: { id: await seedChannel() }, status: 200 }),
  // No simulated fleet runs inside the test process: getting past the role check is what is proven.
  'POST /api/sim/chaos': async () => ({ body: { op: 'crashLeader', cluster: 'sim-prod-eu', lease: 'kube-system/kube-scheduler' }, status: 404 }),
  'POST /api/tokens': async () => ({ body: { name: unique('token'), role: 'viewer', expiresInDays: 30 }, status: 201 }),
  'DELETE /api/tokens/[id]': async () => ({
    params: { id: String((await createApiToken(db.store, { name: unique('t'), role: 'viewer', expiresAt: new Date(Date.now() + 60_000), createdBy: 'test' })).record.id) },
    status: 200,
  }),
  'POST /api/auth/logout': async () => ({ status: 200 }),
  'POST /api/silences': async () => ({ body: { matchers: { cluster: 'matrix' }, endsAt: new Date(Date.now() + 3_600_000).toISOString(), comment: 'upgrade' }, status: 201 }),
  'POST /api/silences/[id]/expire': async () => ({ params: { id: await seedSilence() }, status: 200 }),
  'POST /api/slos': async () => ({ body: { name: unique('slo'), targetPercent: 99.9, windowDays: 7 }, status: 201 }),
  'PUT /api/slos/[id]': async () => ({ params: { id: await seedSlo() }, body: { name: unique('slo'), targetPercent: 99.5, windowDays: 7 }, status: 200 }),
  'DELETE /api/slos/[id]': async () => ({ params: { id: await seedSlo() }, status: 204 }),
};

// Reads that need data or a configuration this process does not have answer 404/400 once past the role check.
const readFixtures: Record<string, () => Promise<Fixture>> = {
  'GET /api/alert-rules/[id]': async () => ({ params: { id: await seedRule() }, status: 200 }),
  'GET /api/alerts/[id]': async () => ({ params: { id: await seedAlert() }, status: 200 }),
  'GET /api/channels/[id]': async () => ({ params: { id: await seedChannel() }, status: 200 }),
  'GET /api/leases/[cluster]/[namespace]/[name]': async () => ({ params: { cluster: 'matrix', namespace: 'kube-system', name: 'nothing' }, status: 404 }),
  'GET /api/leases/[cluster]/[namespace]/[name]/renewals': async () => ({ params: { cluster: 'matrix', namespace: 'kube-system', name: 'nothing' }, status: 404 }),
  'GET /api/leases/[cluster]/[namespace]/[name]/transitions': async () => ({ params: { cluster: 'matrix', namespace: 'kube-system', name: 'nothing' }, status: 404 }),
  'GET /api/leases/[cluster]/[namespace]/[name]/context': async () => ({ params: { cluster: 'matrix', namespace: 'kube-system', name: 'nothing' }, status: 404 }),
  'GET /api/failover-hints': async () => ({ query: '?ids=1', status: 200 }),
  'GET /api/nodes': async () => ({ query: '?cluster=nowhere', status: 404 }),
  'GET /api/leases/[cluster]/[namespace]/[name]/advisor': async () => ({ params: { cluster: 'matrix', namespace: 'kube-system', name: 'nothing' }, status: 404 }),
  'GET /api/slos/[id]': async () => ({ params: { id: await seedSlo() }, status: 200 }),
  'GET /api/sim': async () => ({ status: 404 }),
  'GET /api/auth/login': async () => ({ status: 404 }),
  'GET /api/auth/callback': async () => ({ status: 404 }),
};

const key = (route: ApiRoute) => `${route.method} ${route.pattern}`;

async function call(route: ApiRoute, fixture: Fixture, token: string | null): Promise<{ status: number; body: { error?: string } | null }> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (fixture.body !== undefined) headers['content-type'] = 'application/json';
  const url = new URL(`${fillPattern(route.pattern, fixture.params ?? {})}${fixture.query ?? ''}`, 'http://leasetrail.test');
  const request = new Request(url, { method: route.method, headers, body: fixture.body === undefined ? undefined : JSON.stringify(fixture.body) });
  const response = await route.handler(request, { params: Promise.resolve(fixture.params ?? {}) as Promise<never> });
  if (route.pattern === '/api/stream' && response.ok) {
    await response.body?.cancel();
    return { status: response.status, body: null };
  }
  const text = await response.text();
  return { status: response.status, body: text && response.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as { error?: string }) : null };
}

const rolesBelow = (role: Role): Role[] => (['viewer', 'editor', 'admin'] as const).slice(0, ['viewer', 'editor', 'admin'].indexOf(role));

describe('role × route matrix (from the app/api tree)', () => {
  it('finds every route and every mutating route has a fixture', () => {
    expect(routes.length).toBeGreaterThan(25);
    const mutating = routes.filter((route) => route.method !== 'GET').map(key);
    expect(mutating.filter((name) => !fixtures[name])).toEqual([]);
  });

  it('only health and the sign-in steps are public', () => {
    expect(routes.filter((route) => route.handler.access === 'public').map(key).sort()).toEqual(['GET /api/auth/callback', 'GET /api/auth/login', 'GET /api/health', 'GET /api/health/live', 'GET /api/health/ready', 'POST /api/auth/logout']);
    expect(routes.filter((route) => route.method === 'GET' && route.handler.access !== 'public').every((route) => route.handler.access === 'viewer' || route.handler.access === 'admin')).toBe(true);
  });

  it('answers 401 to anonymous callers of every route that is not public', async () => {
    for (const route of routes.filter((candidate) => candidate.handler.access !== 'public')) {
      const fixture = await (fixtures[key(route)] ?? readFixtures[key(route)] ?? (async () => ({ status: 200 })))();
      const answer = await call(route, fixture, null);
      expect(answer.status, key(route)).toBe(401);
      expect(answer.body?.error, key(route)).toBeTruthy();
    }
  });

  it('answers 403 to every role below the one a route needs', async () => {
    for (const route of routes.filter((candidate) => candidate.handler.access !== 'public')) {
      for (const role of rolesBelow(route.handler.access as Role)) {
        const fixture = await (fixtures[key(route)] ?? readFixtures[key(route)] ?? (async () => ({ status: 200 })))();
        const answer = await call(route, fixture, tokens[role]);
        expect(answer.status, `${key(route)} as ${role}`).toBe(403);
        expect(answer.body?.error).toMatch(/needs the (editor|admin) role/);
      }
    }
  });

  it('lets the role a route needs (and every role above it) through', async () => {
    for (const route of routes) {
      const needed: Role = route.handler.access === 'public' ? 'viewer' : route.handler.access;
      for (const role of (['viewer', 'editor', 'admin'] as const).filter((candidate) => !rolesBelow(needed).includes(candidate))) {
        const fixture = await (fixtures[key(route)] ?? readFixtures[key(route)] ?? (async () => ({ status: 200 })))();
        const answer = await call(route, fixture, tokens[role]);
        expect(answer.status, `${key(route)} as ${role}: ${JSON.stringify(answer.body)}`).toBe(fixture.status);
      }
    }
  });

  it('refuses an unknown, expired or revoked token with 401', async () => {
    const expired = await createApiToken(db.store, { name: 'old', role: 'admin', expiresAt: new Date(Date.now() - 1_000), createdBy: 'test' });
    const revoked = await createApiToken(db.store, { name: 'gone', role: 'admin', expiresAt: new Date(Date.now() + 60_000), createdBy: 'test' });
    await db.store.prisma.apiToken.update({ where: { id: revoked.record.id }, data: { revokedAt: new Date() } });
    const route = routes.find((candidate) => key(candidate) === 'GET /api/clusters')!;
    for (const token of ['lt_not-a-real-token', expired.token, revoked.token]) {
      expect((await call(route, { status: 401 }, token)).status).toBe(401);
    }
  });

  it('records when a token was last used', async () => {
    const route = routes.find((candidate) => key(candidate) === 'GET /api/clusters')!;
    const fresh = await createApiToken(db.store, { name: 'fresh', role: 'viewer', expiresAt: new Date(Date.now() + 60_000), createdBy: 'test' });
    expect(fresh.record.lastUsedAt).toBeNull();
    await call(route, { status: 200 }, fresh.token);
    const stored = await db.store.prisma.apiToken.findUniqueOrThrow({ where: { id: fresh.record.id } });
    expect(stored.lastUsedAt).not.toBeNull();
    expect(stored.tokenHash).not.toContain(fresh.token.slice(3));
  });
});
