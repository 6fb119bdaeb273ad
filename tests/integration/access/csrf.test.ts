import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as annotationsRoute from '../../../app/api/annotations/route';
import * as rulesRoute from '../../../app/api/alert-rules/route';
import * as clustersRoute from '../../../app/api/clusters/route';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { pointRoutesAtStore } from '../helpers/routes';

// No authentication (loopback): the checks that stop a foreign page from using the browser still hold.
let db: MigratedDatabase;
let restore: () => void;

beforeAll(async () => {
  db = await createMigratedDatabase('csrf');
  restore = pointRoutesAtStore(db.store);
});

afterAll(async () => {
  restore();
  await db.drop();
});

const rule = JSON.stringify({ name: 'csrf', kind: 'flapping', params: { transitions: 3, windowSeconds: 600 } });

async function post(headers: Record<string, string>, body: string = rule): Promise<{ status: number; error: string }> {
  const response = await rulesRoute.POST(new Request('http://localhost:3000/api/alert-rules', { method: 'POST', headers: { host: 'localhost:3000', ...headers }, body }));
  const answer = (await response.json()) as { error?: string };
  return { status: response.status, error: answer.error ?? '' };
}

describe('cross-site requests', () => {
  it('refuses a text/plain post from another origin (what a plain HTML form or sendBeacon can send)', async () => {
    const answer = await post({ origin: 'https://evil.example', 'content-type': 'text/plain' });
    expect(answer).toEqual({ status: 403, error: 'cross-origin request refused: Origin https://evil.example is not this site' });
  });

  it('refuses a form-shaped post even without an Origin header', async () => {
    const answer = await post({ 'content-type': 'application/x-www-form-urlencoded' }, 'name=csrf&kind=flapping');
    expect(answer.status).toBe(415);
    expect(answer.error).toMatch(/^the body must be sent as Content-Type: application\/json \(got application\/x-www-form-urlencoded\)$/);
  });

  it('refuses a JSON post from another origin and a cross-site fetch without Origin', async () => {
    expect((await post({ origin: 'http://localhost.evil.example:3000', 'content-type': 'application/json' })).status).toBe(403);
    expect((await post({ origin: 'null', 'content-type': 'application/json' })).status).toBe(403);
    expect((await post({ 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' })).status).toBe(403);
  });

  it('refuses a foreign Host (DNS rebinding) on reads and writes', async () => {
    const read = await clustersRoute.GET(new Request('http://rebind.evil.example:3000/api/clusters', { headers: { host: 'rebind.evil.example:3000' } }));
    expect(read.status).toBe(421);
    expect(((await read.json()) as { error: string }).error).toMatch(/^unknown Host rebind\.evil\.example:3000/);
    expect((await post({ host: 'rebind.evil.example:3000', origin: 'http://rebind.evil.example:3000', 'content-type': 'application/json' })).status).toBe(421);
  });

  it('accepts the same request from this origin, and nothing above was stored', async () => {
    expect(await db.store.prisma.alertRule.count()).toBe(0);
    expect((await post({ origin: 'http://localhost:3000', 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' })).status).toBe(201);
    expect((await post({ 'content-type': 'application/json; charset=utf-8' }, JSON.stringify({ name: 'from curl', kind: 'flapping', params: { transitions: 3, windowSeconds: 600 } }))).status).toBe(201);
  });

  it('refuses a body over the size limit with 413 before reading it', async () => {
    const big = JSON.stringify({ text: 'x'.repeat(300_000), at: '2026-11-23T10:00:00Z' });
    const response = await annotationsRoute.POST(new Request('http://localhost/api/annotations', { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(big.length) }, body: big }));
    expect(response.status).toBe(413);
    const streamed = await annotationsRoute.POST(new Request('http://localhost/api/annotations', { method: 'POST', headers: { 'content-type': 'application/json' }, body: big }));
    expect(streamed.status).toBe(413);
  });
});
