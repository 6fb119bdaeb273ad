import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as annotationsRoute from '../../../app/api/annotations/route';
import * as auditLogRoute from '../../../app/api/audit-log/route';
import * as meRoute from '../../../app/api/auth/me/route';
import * as channelRoute from '../../../app/api/channels/[id]/route';
import * as testRoute from '../../../app/api/channels/[id]/test/route';
import * as channelsRoute from '../../../app/api/channels/route';
import { verifyWebhookSignature } from '../../../lib/alerts/notifiers/webhook';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { pointRoutesAtStore } from '../helpers/routes';

vi.hoisted(() => {
  process.env.LEASETRAIL_AUTH = 'proxy';
  process.env.LEASETRAIL_TRUSTED_PROXIES = '10.0.0.0/8,::1';
  process.env.LEASETRAIL_ADMIN_GROUPS = 'platform';
  process.env.LEASETRAIL_EDITOR_GROUPS = 'sre';
  process.env.LEASETRAIL_VIEWER_GROUPS = 'engineering';
  process.env.LEASETRAIL_PUBLIC_URL = 'https://leasetrail.example.com';
});

type Seen = { headers: http.IncomingHttpHeaders; body: string };
type Receiver = { url: string; seen: Seen[]; close: () => Promise<void> };

async function startReceiver(): Promise<Receiver> {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      seen.push({ headers: req.headers, body });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

let db: MigratedDatabase;
let restore: () => void;
let first: Receiver;
let second: Receiver;

beforeAll(async () => {
  db = await createMigratedDatabase('proxy_mode');
  restore = pointRoutesAtStore(db.store);
  [first, second] = await Promise.all([startReceiver(), startReceiver()]);
});

afterAll(async () => {
  await Promise.all([first.close(), second.close()]);
  restore();
  await db.drop();
});

const origin = 'https://leasetrail.example.com';

function asUser(user: string, groups: string, peer = '10.1.2.3'): Record<string, string> {
  return { host: 'leasetrail.example.com', 'x-leasetrail-peer': peer, 'x-forwarded-user': user, 'x-forwarded-groups': groups };
}

type Handler = (request: Request, context?: { params: Promise<never> }) => Promise<Response>;

async function call<T = Record<string, unknown>>(handler: Handler, method: string, path: string, headers: Record<string, string>, options: { body?: unknown; params?: Record<string, string> } = {}) {
  const sent: Record<string, string> = { ...headers };
  if (method !== 'GET') sent.origin ??= origin;
  const init: RequestInit = { method, headers: sent };
  if (options.body !== undefined) {
    init.body = JSON.stringify(options.body);
    sent['content-type'] = 'application/json';
  }
  const response = await handler(new Request(`${origin}${path}`, init), { params: Promise.resolve(options.params ?? {}) as Promise<never> });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T & { error?: string } };
}

const alice = asUser('alice', 'sre, engineering');
const root = asUser('root', 'platform');

describe('trusted proxy identity', () => {
  it('takes user and groups from the proxy and maps groups to the highest role', async () => {
    expect((await call(meRoute.GET, 'GET', '/api/auth/me', alice)).body).toMatchObject({ name: 'alice', role: 'editor', source: 'proxy', groups: ['sre', 'engineering'] });
    expect((await call(meRoute.GET, 'GET', '/api/auth/me', asUser('bob', 'engineering', '::1'))).body).toMatchObject({ name: 'bob', role: 'viewer' });
    expect((await call(meRoute.GET, 'GET', '/api/auth/me', root)).body).toMatchObject({ role: 'admin' });
  });

  it('ignores the user header from anyone but the trusted proxies', async () => {
    const spoofed = await call(meRoute.GET, 'GET', '/api/auth/me', asUser('root', 'platform', '192.168.1.5'));
    expect(spoofed).toMatchObject({ status: 401, body: { error: 'x-forwarded-user is accepted only from the trusted proxies' } });
    const { 'x-leasetrail-peer': _peer, ...withoutPeer } = root;
    expect((await call(meRoute.GET, 'GET', '/api/auth/me', withoutPeer)).status).toBe(401);
  });

  it('admits nobody whose groups grant no role', async () => {
    expect(await call(meRoute.GET, 'GET', '/api/auth/me', asUser('eve', 'contractors'))).toMatchObject({ status: 401, body: { error: 'eve is in no group that grants a Leasetrail role' } });
  });

  it('refuses a Host other than the public URL', async () => {
    expect((await call(meRoute.GET, 'GET', '/api/auth/me', { ...alice, host: 'leasetrail.evil.example' })).status).toBe(421);
  });

  it('records the signed-in user as the author and refuses a change without a same-origin Origin', async () => {
    const note = { text: 'deploy', at: '2026-11-23T10:00:00Z' };
    expect((await call(annotationsRoute.POST, 'POST', '/api/annotations', { ...alice, origin: 'https://evil.example' }, { body: note })).status).toBe(403);
    const noOrigin = await annotationsRoute.POST(new Request(`${origin}/api/annotations`, { method: 'POST', headers: { ...alice, 'content-type': 'application/json' }, body: JSON.stringify(note) }));
    expect(noOrigin.status).toBe(403);
    const created = await call<{ annotation: { author: string } }>(annotationsRoute.POST, 'POST', '/api/annotations', alice, { body: note });
    expect(created.status).toBe(201);
    expect(created.body.annotation.author).toBe('alice');
  });
});

describe('channel credentials', () => {
  it('lets only admins create channels, private-target permission included', async () => {
    const body = { name: 'private', kind: 'webhook', config: { url: 'http://169.254.169.254/x', secret: 'a-long-enough-secret', allowPrivateTargets: true } };
    expect((await call(channelsRoute.POST, 'POST', '/api/channels', alice, { body })).status).toBe(403);
    expect((await call(channelsRoute.POST, 'POST', '/api/channels', root, { body })).status).toBe(201);
  });

  it('drops a webhook secret when the URL moves to another origin, unless a new one comes with it', async () => {
    const created = await call<{ channel: { id: number } }>(channelsRoute.POST, 'POST', '/api/channels', root, {
      body: { name: 'moving', kind: 'webhook', config: { url: `${first.url}/hook`, secret: 'the-original-secret-value' } },
    });
    const id = String(created.body.channel.id);
    const moved = await call(channelRoute.PATCH, 'PATCH', `/api/channels/${id}`, root, { body: { config: { url: `${second.url}/hook` } }, params: { id } });
    expect(moved.status).toBe(400);
    expect(moved.body.error).toBe('invalid config.secret: the URL moves to another origin, so the stored secret is dropped; give a new one in the same request');
    const sameOrigin = await call(channelRoute.PATCH, 'PATCH', `/api/channels/${id}`, root, { body: { config: { url: `${first.url}/other` } }, params: { id } });
    expect(sameOrigin.status).toBe(200);
    const withNew = await call(channelRoute.PATCH, 'PATCH', `/api/channels/${id}`, root, { body: { config: { url: `${second.url}/hook`, secret: 'a-brand-new-secret-value' } }, params: { id } });
    expect(withNew.status).toBe(200);

    expect((await call(testRoute.POST, 'POST', `/api/channels/${id}/test`, root, { params: { id } })).status).toBe(200);
    const delivered = second.seen.at(-1)!;
    const check = (secret: string) => verifyWebhookSignature(secret, delivered.headers['x-leasetrail-timestamp'] as string, delivered.body, delivered.headers['x-leasetrail-signature'] as string);
    expect(check('a-brand-new-secret-value')).toBe(true);
    expect(check('the-original-secret-value')).toBe(false);
  });

  it('never sends an Alertmanager bearer token to a new origin', async () => {
    const created = await call<{ channel: { id: number } }>(channelsRoute.POST, 'POST', '/api/channels', root, {
      body: { name: 'am', kind: 'alertmanager', config: { url: first.url, bearerToken: 'am-token-value' } },
    });
    const id = String(created.body.channel.id);
    const moved = await call<{ channel: { config: { hasBearerToken: boolean } } }>(channelRoute.PATCH, 'PATCH', `/api/channels/${id}`, root, { body: { config: { url: second.url } }, params: { id } });
    expect(moved.status).toBe(200);
    expect(moved.body.channel.config.hasBearerToken).toBe(false);
    expect((await call(testRoute.POST, 'POST', `/api/channels/${id}/test`, root, { params: { id } })).status).toBe(200);
    expect(second.seen.at(-1)!.headers.authorization).toBeUndefined();
  });

  it.each(['http://[::169.254.169.254]/', 'http://[64:ff9b:1::a9fe:a9fe]/', 'http://[::ffff:0:a9fe:a9fe]/', 'http://[2002:a9fe:a9fe::1]/', 'http://[2001:0:4136:e378:8000:63bf:5601:5601]/'])('refuses the metadata address hidden in %s', async (url) => {
    const answer = await call(channelsRoute.POST, 'POST', '/api/channels', root, { body: { name: `v6 ${url}`, kind: 'webhook', config: { url, secret: 'a-long-enough-secret' } } });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatch(/^invalid config\.url: refusing to send to .*link-local \(cloud instance metadata\), embedded in IPv6 as 169\.254\.169\.254/);
  });

  it('keeps an audit log of who changed which channel, secrets never in it, for admins only', async () => {
    expect((await call(auditLogRoute.GET, 'GET', '/api/audit-log', alice)).status).toBe(403);
    const log = await call<{ entries: Array<{ actor: string; action: string; targetKind: string; detail: Record<string, unknown> }> }>(auditLogRoute.GET, 'GET', '/api/audit-log', root);
    expect(log.status).toBe(200);
    const moving = log.body.entries.filter((entry) => entry.targetKind === 'channel' && JSON.stringify(entry.detail).includes('moving'));
    expect(moving.map((entry) => `${entry.actor} ${entry.action}`)).toEqual(['root update', 'root update', 'root create']);
    expect(moving[0]!.detail).toMatchObject({ changes: { url: { from: `${first.url}/other`, to: `${second.url}/hook` }, secret: { from: '(secret)', to: '(secret, changed)' } } });
    expect(JSON.stringify(log.body)).not.toMatch(/secret-value|am-token-value/);
  });
});
