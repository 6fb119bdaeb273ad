import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { pointRoutesAtStore } from '../helpers/routes';
import { seedCluster } from '../helpers/seed';
import { fillPattern, listApiRoutes, paramNames, type ApiRoute } from './api-routes';

// Hostile input against every route of the app/api tree: each answer is a 4xx that says what is
// wrong, never a 500 and never a hang.
let db: MigratedDatabase;
let restore: () => void;
let routes: ApiRoute[];

beforeAll(async () => {
  db = await createMigratedDatabase('fuzz');
  restore = pointRoutesAtStore(db.store);
  await seedCluster(db.store, 'fuzz');
  routes = await listApiRoutes();
});

afterAll(async () => {
  restore();
  await db.drop();
});

type Probe = { name: string; path?: string; params?: Record<string, string>; query?: string; body?: string };

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

const queryProbes: Probe[] = [
  { name: 'NUL in a value', query: '?from=2026-11-24T10:00:00Z%00' },
  { name: 'NUL in a key', query: '?fr%00om=1' },
  { name: 'year 0', query: '?from=0000-01-01T00:00:00Z' },
  { name: 'year 10000', query: '?to=%2B10000-01-01T00:00:00Z' },
  { name: 'not a date', query: '?from=yesterday' },
  { name: 'huge limit', query: '?limit=99999999999999999999999' },
  { name: 'bad percent-encoding in the query', query: '?from=%E0%A4%A' },
  { name: 'repeated parameter', query: '?from=a&from=b' },
  { name: 'long value', query: `?cluster=${'a'.repeat(5_000)}` },
];

const paramValues = ['a\u0000b', '9223372036854775808', '2147483648', '99999999999999999999999999', '-1', '0', ' ', '%', '..', 'x'.repeat(300)];

const bodyProbes: Probe[] = [
  { name: 'NUL in strings', body: JSON.stringify({ name: 'a\u0000b', text: 'a\u0000b', note: 'a\u0000b', kind: 'flapping', op: 'crashLeader', role: 'viewer' }) },
  { name: 'NUL in a key', body: '{"na\\u0000me":"x"}' },
  { name: 'year 0 dates', body: JSON.stringify({ at: '0000-01-01T00:00:00Z', until: '0000-01-01T00:00:00Z', text: 'x', note: 'x' }) },
  { name: 'year 10000 dates', body: JSON.stringify({ at: '+010000-01-01T00:00:00Z', until: '+010000-01-01T00:00:00Z', text: 'x', note: 'x' }) },
  { name: 'ids past int4 and int8', body: JSON.stringify({ channelIds: [2147483648], transitionId: '9223372036854775808', name: 'x', kind: 'flapping', params: { transitions: 3, windowSeconds: 600 } }) },
  { name: 'deep nesting', body: nested(5_000) },
  { name: 'deep object', body: '{"a":'.repeat(200) + '1' + '}'.repeat(200) },
  { name: 'wrong types', body: JSON.stringify({ name: 1, kind: [], config: 'x', params: null, enabled: 'yes', until: 5, note: {} }) },
  { name: 'not an object', body: '[1,2,3]' },
  { name: 'a bare string', body: '"x"' },
  { name: 'huge numbers', body: '{"hours":1e400,"forSeconds":-1e308,"expiresInDays":1e21}' },
  { name: 'prototype keys', body: '{"__proto__":{"admin":true},"constructor":{"prototype":{}}}' },
  { name: 'many labels', body: JSON.stringify({ name: 'x', kind: 'alertmanager', config: { url: 'http://127.0.0.1:9/x', labels: Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`l${i}`, 'v'])) } }) },
  { name: 'lone surrogate', body: '{"name":"\\ud800","text":"\\ud800"}' },
  { name: 'truncated JSON', body: '{"name":' },
];

async function send(route: ApiRoute, probe: Probe): Promise<{ status: number; error: unknown }> {
  const params = probe.params ?? Object.fromEntries(paramNames(route.pattern).map((name) => [name, name === 'id' ? '1' : 'fuzz']));
  const path = probe.path ?? fillPattern(route.pattern, params);
  const init: RequestInit = { method: route.method };
  if (probe.body !== undefined) {
    init.body = probe.body;
    init.headers = { 'content-type': 'application/json' };
  }
  const response = await route.handler(new Request(`http://localhost${path}${probe.query ?? ''}`, init), { params: Promise.resolve(params) as Promise<never> });
  const text = await response.text();
  let error: unknown;
  try {
    error = (JSON.parse(text) as { error?: unknown }).error;
  } catch {
    error = undefined;
  }
  return { status: response.status, error };
}

function expectClearRefusal(answer: { status: number; error: unknown }, what: string): void {
  expect(answer.status, what).toBeGreaterThanOrEqual(400);
  expect(answer.status, what).toBeLessThan(500);
  expect(typeof answer.error === 'string' && answer.error.length > 0, `${what}: ${String(answer.error)}`).toBe(true);
}

describe('fuzzing every API route', () => {
  it('refuses hostile query strings with a 4xx that says why', async () => {
    for (const route of routes) {
      for (const probe of queryProbes) expectClearRefusal(await send(route, probe), `${route.method} ${route.pattern} ${probe.name}`);
    }
  });

  it('refuses hostile path parameters and bad percent-encoding', async () => {
    for (const route of routes.filter((candidate) => paramNames(candidate.pattern).length > 0)) {
      for (const value of paramValues) {
        const params = Object.fromEntries(paramNames(route.pattern).map((name) => [name, value]));
        expectClearRefusal(await send(route, { name: value, params, body: route.method === 'GET' ? undefined : '{}' }), `${route.method} ${route.pattern} ${JSON.stringify(value)}`);
      }
      const raw = route.pattern.replace(/\[(\w+)\]/g, '%E0%A4%A');
      expectClearRefusal(await send(route, { name: 'bad encoding', path: raw }), `${route.method} ${raw}`);
    }
  });

  it('refuses hostile bodies on every route that takes one', async () => {
    const bodyIgnored = new Set(['POST /api/auth/logout']);
    for (const route of routes.filter((candidate) => candidate.method !== 'GET' && !bodyIgnored.has(`${candidate.method} ${candidate.pattern}`))) {
      for (const probe of bodyProbes) expectClearRefusal(await send(route, probe), `${route.method} ${route.pattern} ${probe.name}`);
    }
  });

  it('left nothing behind', async () => {
    expect(await db.store.prisma.alertRule.count()).toBe(0);
    expect(await db.store.prisma.notificationChannel.count()).toBe(0);
    expect(await db.store.prisma.annotation.count()).toBe(0);
    expect(await db.store.prisma.apiToken.count()).toBe(0);
  });
});
