import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as getTimeline } from '../../../app/api/timeline/route';
import { GET as getTransitions } from '../../../app/api/leases/[cluster]/[namespace]/[name]/transitions/route';
import type { FleetTimelineResponse, TransitionsResponse } from '../../../lib/api/dto';
import type { Lease } from '../../../lib/store/generated/prisma/client';
import { listWindowStartStates } from '../../../lib/store/window-start';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { callGet, pointRoutesAtStore } from '../helpers/routes';
import { seedCluster, seedLease, seedTransitions } from '../helpers/seed';

let db: MigratedDatabase;
let restoreRoutes: () => void;
let steady: Lease;
let released: Lease;
let late: Lease;
let unheld: Lease;

const at = (time: string) => new Date(`2026-03-10T${time}Z`);

beforeAll(async () => {
  db = await createMigratedDatabase('window_start');
  restoreRoutes = pointRoutesAtStore(db.store);
  const prod = await seedCluster(db.store, 'prod');
  steady = await seedLease(db.store, prod, { namespace: 'kube-system', name: 'kube-scheduler', createdAt: at('08:00:00'), holderIdentity: 'cp-2_b', holderSince: at('12:00:00') });
  released = await seedLease(db.store, prod, { namespace: 'kube-system', name: 'kube-controller-manager', createdAt: at('08:00:00') });
  late = await seedLease(db.store, prod, { namespace: 'apps', name: 'late', createdAt: at('11:00:00'), holderIdentity: 'x_1', holderSince: at('11:00:00') });
  unheld = await seedLease(db.store, prod, { namespace: 'apps', name: 'unheld', createdAt: at('08:00:00') });
  await seedTransitions(db.store, steady, [
    { at: at('08:00:00'), toHolder: 'cp-1_a', cause: 'first' },
    { at: at('09:00:00'), fromHolder: 'cp-1_a', toHolder: 'cp-1_c', cause: 'expiry', isRestart: true },
    { at: at('12:00:00'), fromHolder: 'cp-1_c', toHolder: 'cp-2_b', cause: 'expiry' },
  ]);
  await seedTransitions(db.store, released, [
    { at: at('08:00:00'), toHolder: 'km-1', cause: 'first' },
    { at: at('09:30:00'), kind: 'released', fromHolder: 'km-1', toHolder: null },
  ]);
  await seedTransitions(db.store, late, [{ at: at('11:00:00'), toHolder: 'x_1', cause: 'first' }]);
});

afterAll(async () => {
  restoreRoutes();
  await db.drop();
});

describe('the state of each lease at the start of a window', () => {
  it('is read from the last transition before the window, whatever the current holder', async () => {
    const states = await listWindowStartStates(db.store, [steady.id, released.id, late.id, unheld.id], at('10:00:00'));
    expect(states.get(steady.id)).toEqual({ state: 'held', holder: 'cp-1_c', since: at('09:00:00').getTime() });
    expect(states.get(released.id)).toEqual({ state: 'leaderless', since: at('09:30:00').getTime() });
    expect(states.get(late.id)).toEqual({ state: 'unknown', reason: 'before Leasetrail saw this lease' });
    expect(states.get(unheld.id)).toEqual({ state: 'leaderless', since: at('08:00:00').getTime() });
  });

  it('does not count a transition exactly at the window start as before it', async () => {
    const states = await listWindowStartStates(db.store, [steady.id], at('09:00:00'));
    expect(states.get(steady.id)).toMatchObject({ state: 'held', holder: 'cp-1_a' });
  });

  it('comes with the transitions of the read API', async () => {
    const response = await callGet<TransitionsResponse>(getTransitions, '/api/leases/prod/kube-system/kube-scheduler/transitions?from=2026-03-10T10:00:00Z&to=2026-03-10T11:00:00Z', {
      cluster: 'prod',
      namespace: 'kube-system',
      name: 'kube-scheduler',
    });
    expect(response.status).toBe(200);
    const body = response.body;
    expect(body.transitions).toEqual([]);
    expect(body.stateAtStart).toEqual({ state: 'held', holder: 'cp-1_c', since: '2026-03-10T09:00:00.000Z' });
  });

  it('comes with every lease of the fleet timeline', async () => {
    const response = await callGet<FleetTimelineResponse>(getTimeline, '/api/timeline?cluster=prod&from=2026-03-10T10:00:00Z&to=2026-03-10T11:00:00Z');
    expect(response.status).toBe(200);
    const body = response.body;
    const byName = Object.fromEntries(body.leases.map((lease) => [lease.name, lease.stateAtStart]));
    expect(byName).toEqual({
      'kube-scheduler': { state: 'held', holder: 'cp-1_c', since: '2026-03-10T09:00:00.000Z' },
      'kube-controller-manager': { state: 'leaderless', since: '2026-03-10T09:30:00.000Z' },
      late: { state: 'unknown', reason: 'before Leasetrail saw this lease' },
      unheld: { state: 'leaderless', since: '2026-03-10T08:00:00.000Z' },
    });
  });
});
