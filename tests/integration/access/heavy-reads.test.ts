import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as previewRoute from '../../../app/api/alert-rules/preview/route';
import * as failoversRoute from '../../../app/api/failovers/route';
import * as timelineRoute from '../../../app/api/timeline/route';
import { getHeavyGate } from '../../../lib/http/heavy-reads';
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
