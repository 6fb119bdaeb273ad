import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as getAnnotations, POST as postAnnotation } from '../../../app/api/annotations/route';
import { GET as getFailovers } from '../../../app/api/failovers/route';
import type { AnnotationResponse, AnnotationsResponse, FailoversResponse } from '../../../lib/api/audit-dto';
import { failoverCsvColumns } from '../../../lib/audit/csv';
import { listFailovers } from '../../../lib/store/failovers';
import type { Lease } from '../../../lib/store/generated/prisma/client';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { callGet, pointRoutesAtStore } from '../helpers/routes';
import { seedCluster, seedGap, seedLease, seedTransitions } from '../helpers/seed';
import { callPost, callText, expectedCsvRows, parseCsvRecords } from './support';

let db: MigratedDatabase;
let restoreRoutes: () => void;
let euScheduler: Lease;

const at = (time: string) => new Date(`2026-11-23T${time}Z`);
const window = 'from=2026-11-23T10:00:00Z&to=2026-11-23T11:00:00Z';
const weirdHolder = 'node "a", rack 1_5f0c';

beforeAll(async () => {
  db = await createMigratedDatabase('audit_api');
  restoreRoutes = pointRoutesAtStore(db.store);
  const eu = await seedCluster(db.store, 'prod-eu');
  const us = await seedCluster(db.store, 'prod-us');
  await seedCluster(db.store, 'staging');
  const created = { createdAt: at('08:00:00') };
  euScheduler = await seedLease(db.store, eu, { namespace: 'kube-system', name: 'kube-scheduler', ...created });
  const euKcm = await seedLease(db.store, eu, { namespace: 'kube-system', name: 'kube-controller-manager', ...created });
  const euCert = await seedLease(db.store, eu, { namespace: 'cert-manager', name: 'cert-manager-controller', ...created });
  const usScheduler = await seedLease(db.store, us, { namespace: 'kube-system', name: 'kube-scheduler', ...created });
  await seedLease(db.store, eu, { namespace: 'kube-node-lease', name: 'worker-1', kind: 'node_heartbeat', ...created });

  await seedTransitions(db.store, euScheduler, [
    { at: at('09:00:00'), cause: 'first', toHolder: 'cp-1_aaaa', leaseTransitions: 0 },
    { at: at('10:10:00'), cause: 'expiry', fromHolder: 'cp-1_aaaa', toHolder: 'cp-2_bbbb', leaderlessMs: 3_000, leaseTransitions: 1 },
    { at: at('10:40:00'), cause: 'early_takeover', fromHolder: 'cp-2_bbbb', toHolder: 'cp-2_cccc', overlapMs: 1_500, isRestart: true, leaseTransitions: 2 },
  ]);
  await seedTransitions(db.store, euKcm, [
    { at: at('09:00:00'), cause: 'first', toHolder: 'cp-1_dddd', leaseTransitions: 0 },
    { at: at('10:10:18'), kind: 'released', fromHolder: 'cp-1_dddd', leaseTransitions: 0 },
    { at: at('10:10:20'), cause: 'release', fromHolder: 'cp-1_dddd', toHolder: weirdHolder, leaderlessMs: 2_000, leaseTransitions: 1 },
  ]);
  await seedTransitions(db.store, euCert, [
    { at: at('09:00:00'), cause: 'first', toHolder: 'cm-x_1111', leaseTransitions: 4 },
    { at: at('10:48:00'), observedAt: at('10:50:00'), cause: 'unknown', toHolder: 'cm-y_2222', missedCount: 2, leaseTransitions: 7 },
  ]);
  await seedTransitions(db.store, usScheduler, [
    { at: at('09:00:00'), cause: 'first', toHolder: 'us-1_0001', leaseTransitions: 0 },
    { at: at('10:00:00'), cause: 'expiry', fromHolder: 'us-1_0001', toHolder: 'us-2_0002', leaderlessMs: 1_000, leaseTransitions: 1 },
    { at: at('10:10:40'), cause: 'expiry', fromHolder: 'us-2_0002', toHolder: 'us-3_0003', leaderlessMs: 500, leaseTransitions: 2 },
    { at: at('10:55:00'), kind: 'missed', fromHolder: 'us-3_0003', toHolder: 'us-3_0003', missedCount: 2, leaseTransitions: 4 },
    { at: at('11:00:00'), cause: 'expiry', fromHolder: 'us-3_0003', toHolder: 'us-1_0004', leaderlessMs: 700, leaseTransitions: 5 },
  ]);
  await seedGap(db.store, eu, { startedAt: at('10:45:00'), endedAt: at('10:50:00'), reason: 'history_expired', detail: 'watch history compacted' });
  await seedGap(db.store, us, { startedAt: at('06:00:00'), endedAt: at('07:00:00'), detail: 'long before' });
});

afterAll(async () => {
  restoreRoutes();
  await db.drop();
});

const summary = (leaderlessMs = 0) => ({ earlyTakeovers: 0, missed: 0, leaderlessMs, longestLeaderlessMs: leaderlessMs, unknownMs: 0, windowMs: 3_600_000 });

describe('GET /api/failovers', () => {
  it('lists every failover of the window fleet-wide, oldest first, with missed changes and nothing else', async () => {
    const answer = await callGet<FailoversResponse>(getFailovers, `/api/failovers?${window}`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.body.failovers.map((f) => `${f.at} ${f.cluster}/${f.name} ${f.kind} ${f.cause} ${f.fromHolder} -> ${f.toHolder} missed=${f.missedCount}`)).toEqual([
      '2026-11-23T10:00:00.000Z prod-us/kube-scheduler acquired expiry us-1_0001 -> us-2_0002 missed=0',
      '2026-11-23T10:10:00.000Z prod-eu/kube-scheduler acquired expiry cp-1_aaaa -> cp-2_bbbb missed=0',
      `2026-11-23T10:10:20.000Z prod-eu/kube-controller-manager acquired release cp-1_dddd -> ${weirdHolder} missed=0`,
      '2026-11-23T10:10:40.000Z prod-us/kube-scheduler acquired expiry us-2_0002 -> us-3_0003 missed=0',
      '2026-11-23T10:40:00.000Z prod-eu/kube-scheduler acquired early_takeover cp-2_bbbb -> cp-2_cccc missed=0',
      '2026-11-23T10:48:00.000Z prod-eu/cert-manager-controller acquired unknown null -> cm-y_2222 missed=2',
      '2026-11-23T10:55:00.000Z prod-us/kube-scheduler missed unknown us-3_0003 -> us-3_0003 missed=2',
    ]);
    expect(answer.body.failovers[4]).toEqual({
      id: expect.stringMatching(/^\d+$/),
      kind: 'acquired',
      cluster: 'prod-eu',
      namespace: 'kube-system',
      name: 'kube-scheduler',
      at: '2026-11-23T10:40:00.000Z',
      observedAt: '2026-11-23T10:40:00.000Z',
      cause: 'early_takeover',
      fromHolder: 'cp-2_bbbb',
      toHolder: 'cp-2_cccc',
      isRestart: true,
      leaderlessMs: null,
      overlapMs: 1_500,
      missedCount: 0,
      leaseTransitions: 2,
    });
    expect(answer.body).toMatchObject({ range: { from: '2026-11-23T10:00:00.000Z', to: '2026-11-23T11:00:00.000Z' }, filters: { cluster: null, namespace: null, cause: null, burstSeconds: 60 }, hasMore: false });
  });

  it('groups failovers close together into bursts, largest first, leaving missed changes out', async () => {
    const { body } = await callGet<FailoversResponse>(getFailovers, `/api/failovers?${window}`);
    const ids = body.failovers.map((f) => f.id);
    expect(body.bursts).toEqual([
      {
        start: '2026-11-23T10:10:00.000Z',
        end: '2026-11-23T10:10:40.000Z',
        spanMs: 40_000,
        count: 3,
        clusters: ['prod-eu', 'prod-us'],
        leases: ['prod-eu/kube-system/kube-controller-manager', 'prod-eu/kube-system/kube-scheduler', 'prod-us/kube-system/kube-scheduler'],
        failoverIds: ids.slice(1, 4),
      },
    ]);
    const wide = await callGet<FailoversResponse>(getFailovers, `/api/failovers?${window}&burst=600`);
    expect(wide.body.bursts.map((burst) => [burst.count, burst.start, burst.end])).toEqual([
      [4, '2026-11-23T10:00:00.000Z', '2026-11-23T10:10:40.000Z'],
      [2, '2026-11-23T10:40:00.000Z', '2026-11-23T10:48:00.000Z'],
    ]);
  });

  it('lists the blind spots of the window', async () => {
    const { body } = await callGet<FailoversResponse>(getFailovers, `/api/failovers?${window}`);
    expect(body.gaps).toEqual([
      { id: expect.any(String), cluster: 'prod-eu', startedAt: '2026-11-23T10:45:00.000Z', endedAt: '2026-11-23T10:50:00.000Z', reason: 'history_expired', detail: 'watch history compacted' },
    ]);
  });

  // The eu gap blinds every eu lease for its five minutes: that time is neither led nor leaderless.
  it('summarises each elected lease: failovers, leaderless time, time led and time not observed', async () => {
    const { body } = await callGet<FailoversResponse>(getFailovers, `/api/failovers?${window}`);
    expect(body.leases).toEqual([
      { cluster: 'prod-eu', namespace: 'kube-system', name: 'kube-scheduler', labels: {}, failovers: 2, ...summary(3_000), earlyTakeovers: 1, unknownMs: 300_000, ledMs: 3_297_000, ledShare: 0.9158 },
      { cluster: 'prod-us', namespace: 'kube-system', name: 'kube-scheduler', labels: {}, failovers: 2, ...summary(500), missed: 2, ledMs: 3_599_500, ledShare: 0.9999 },
      { cluster: 'prod-eu', namespace: 'kube-system', name: 'kube-controller-manager', labels: {}, failovers: 1, ...summary(2_000), unknownMs: 300_000, ledMs: 3_298_000, ledShare: 0.9161 },
      { cluster: 'prod-eu', namespace: 'cert-manager', name: 'cert-manager-controller', labels: {}, failovers: 1, ...summary(), missed: 2, unknownMs: 300_000, ledMs: 3_300_000, ledShare: 0.9167 },
    ]);
  });

  it.each([
    ['cluster=prod-us', ['10:00:00 kube-scheduler', '10:10:40 kube-scheduler', '10:55:00 kube-scheduler']],
    ['namespace=cert-manager', ['10:48:00 cert-manager-controller']],
    ['cause=unknown', ['10:48:00 cert-manager-controller', '10:55:00 kube-scheduler']],
    ['cause=early_takeover', ['10:40:00 kube-scheduler']],
    ['cause=release&cluster=prod-eu', ['10:10:20 kube-controller-manager']],
    ['cluster=staging', []],
  ])('filters by %s', async (filter, expected) => {
    const { status, body } = await callGet<FailoversResponse>(getFailovers, `/api/failovers?${window}&${filter}`);
    expect(status).toBe(200);
    expect(body.failovers.map((f) => `${f.at.slice(11, 19)} ${f.name}`)).toEqual(expected);
  });

  it('keeps the window half-open: a failover at from is in, one at to is out', async () => {
    const { body } = await callGet<FailoversResponse>(getFailovers, '/api/failovers?cluster=prod-us&from=2026-11-23T10:00:00Z&to=2026-11-23T11:00:00.001Z');
    expect(body.failovers.map((f) => f.at)).toContain('2026-11-23T11:00:00.000Z');
    expect(body.failovers.map((f) => f.at)).toContain('2026-11-23T10:00:00.000Z');
  });

  it('stops at the limit and says there is more', async () => {
    const { failovers, hasMore } = await listFailovers(db.store, { range: { from: at('10:00:00'), to: at('11:00:00') }, limit: 2 });
    expect(failovers).toHaveLength(2);
    expect(hasMore).toBe(true);
  });

  it('exports the same failovers as CSV: documented columns, RFC 4180 quoting, an attachment named after the window', async () => {
    const [json, csv] = await Promise.all([
      callGet<FailoversResponse>(getFailovers, `/api/failovers?${window}`),
      callText(getFailovers, `/api/failovers?${window}&format=csv`),
    ]);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="leasetrail-failovers-20261123T100000Z-20261123T110000Z.csv"');
    expect(csv.headers.get('x-leasetrail-truncated')).toBe('false');
    expect(csv.text).toContain(`"node ""a"", rack 1_5f0c"`);
    const { header, rows } = parseCsvRecords(csv.text);
    expect(header).toEqual([...failoverCsvColumns]);
    expect(rows).toEqual(expectedCsvRows(json.body.failovers, json.body.bursts));
    expect(rows[2]).toMatchObject({ to_holder: weirdHolder, leaderless_ms: '2000', overlap_ms: '', burst_start: '2026-11-23T10:10:00.000Z' });
  });

  it('answers an empty window with a header-only CSV', async () => {
    const csv = await callText(getFailovers, '/api/failovers?from=2026-11-20T00:00:00Z&to=2026-11-20T01:00:00Z&format=csv');
    expect(csv.text).toBe(`${failoverCsvColumns.join(',')}\r\n`);
  });

  it.each([
    ['from=garbage', /^invalid from: must be an ISO 8601 date-time/],
    ['to=2026-11-23', /^invalid to: must be an ISO 8601 date-time/],
    ['from=2026-11-23T11:00:00Z&to=2026-11-23T10:00:00Z', /^invalid from: must be before to/],
    ['from=2026-09-01T00:00:00Z&to=2026-11-23T00:00:00Z', /^invalid from: must be at most 31 days before to/],
    ['cause=first', /^invalid cause: must be one of release, expiry, early_takeover, preferred_holder, unknown$/],
    ['format=xml', /^invalid format: must be one of json, csv$/],
    ['burst=0', /^invalid burst: must be a whole number from 1 to 3600$/],
    ['namespace=Kube_System', /^invalid namespace: must be a Kubernetes namespace name/],
    ['lease=kube-scheduler', /^unknown query parameter lease \(accepted: from, to, cluster, namespace, cause, format, burst, limit\)$/],
    ['cause=expiry&cause=release', /^invalid cause: given more than once$/],
  ])('answers ?%s with 400 and says why', async (query, error) => {
    const answer = await callGet<{ error: string }>(getFailovers, `/api/failovers?${query}`);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatch(error);
  });

  it('answers an unknown cluster with 404 rather than an empty, calm audit', async () => {
    const answer = await callGet<{ error: string }>(getFailovers, `/api/failovers?${window}&cluster=prod-ap`);
    expect(answer.status).toBe(404);
    expect(answer.body.error).toBe('cluster prod-ap not found');
  });
});

describe('annotations', () => {
  const note = { at: '2026-11-23T10:10:05Z' };

  it('stores a note on a failover, on a lease, on a cluster and on a window, and lists each where it applies', async () => {
    const { body: audit } = await callGet<FailoversResponse>(getFailovers, `/api/failovers?${window}`);
    const failover = audit.failovers[1]!;
    const onFailover = await callPost<AnnotationResponse>(postAnnotation, '/api/annotations', { ...note, text: 'eu scheduler lost its node', at: failover.at, transitionId: failover.id });
    expect(onFailover.status).toBe(201);
    expect(onFailover.body.annotation).toEqual({
      id: expect.stringMatching(/^\d+$/),
      author: 'local',
      text: 'eu scheduler lost its node',
      at: '2026-11-23T10:10:00.000Z',
      endAt: null,
      cluster: 'prod-eu',
      namespace: 'kube-system',
      name: 'kube-scheduler',
      transitionId: failover.id,
      createdAt: expect.any(String),
    });
    const onLease = await callPost<AnnotationResponse>(postAnnotation, '/api/annotations', { ...note, text: 'kcm redeployed', cluster: 'prod-eu', namespace: 'kube-system', name: 'kube-controller-manager' });
    const onCluster = await callPost<AnnotationResponse>(postAnnotation, '/api/annotations', { ...note, text: 'us network maintenance', cluster: 'prod-us' });
    const onWindow = await callPost<AnnotationResponse>(postAnnotation, '/api/annotations', {
      text: 'INC-4711: "eu-west, us-east"\nshared etcd',
      at: '2026-11-23T10:00:00Z',
      endAt: '2026-11-23T11:00:00Z',
    });
    expect([onLease.status, onCluster.status, onWindow.status]).toEqual([201, 201, 201]);
    expect(onWindow.body.annotation).toMatchObject({ author: 'local', cluster: null, namespace: null, name: null, transitionId: null, endAt: '2026-11-23T11:00:00.000Z' });

    const texts = (answer: { body: AnnotationsResponse }) => answer.body.annotations.map((a) => a.text);
    expect(texts(await callGet<AnnotationsResponse>(getAnnotations, `/api/annotations?${window}`))).toEqual([
      'INC-4711: "eu-west, us-east"\nshared etcd',
      'eu scheduler lost its node',
      'kcm redeployed',
      'us network maintenance',
    ]);
    expect(texts(await callGet<AnnotationsResponse>(getAnnotations, `/api/annotations?${window}&cluster=prod-eu&namespace=kube-system&name=kube-scheduler`))).toEqual([
      'INC-4711: "eu-west, us-east"\nshared etcd',
      'eu scheduler lost its node',
    ]);
    expect(texts(await callGet<AnnotationsResponse>(getAnnotations, `/api/annotations?${window}&cluster=prod-us`))).toEqual(['INC-4711: "eu-west, us-east"\nshared etcd', 'us network maintenance']);
    // A note spanning the window shows in any range it overlaps; a point note only in ranges holding it.
    expect(texts(await callGet<AnnotationsResponse>(getAnnotations, '/api/annotations?from=2026-11-23T10:30:00Z&to=2026-11-23T10:31:00Z'))).toEqual(['INC-4711: "eu-west, us-east"\nshared etcd']);

    const { body: withNotes } = await callGet<FailoversResponse>(getFailovers, `/api/failovers?${window}&cluster=prod-us`);
    expect(withNotes.annotations.map((a) => a.text)).toEqual(['INC-4711: "eu-west, us-east"\nshared etcd', 'us network maintenance']);
  });

  it.each([
    ['an unknown lease', { ...note, text: 'x', cluster: 'prod-eu', namespace: 'kube-system', name: 'nope' }, 'lease kube-system/nope not found in cluster prod-eu'],
    ['a lease of an unknown cluster', { ...note, text: 'x', cluster: 'prod-ap', namespace: 'kube-system', name: 'kube-scheduler' }, 'lease kube-system/kube-scheduler not found (no cluster named prod-ap)'],
    ['an unknown cluster', { ...note, text: 'x', cluster: 'prod-ap' }, 'cluster prod-ap not found'],
    ['an unknown transition', { ...note, text: 'x', transitionId: '999999' }, 'transition 999999 not found'],
  ])('answers a note on %s with 404', async (_what, body, error) => {
    const answer = await callPost<{ error: string }>(postAnnotation, '/api/annotations', body);
    expect(answer.status).toBe(404);
    expect(answer.body.error).toBe(error);
  });

  it.each([
    ['no body', '', /^the request needs a JSON body, e\.g\. \{"text"/],
    ['a body that is not JSON', 'author=jane', /^the body must be JSON/],
    ['a free-text author (the author is who signed in)', { ...note, author: 'jane', text: 'x' }, /unknown field author/],
    ['a NUL byte in the text', { ...note, text: 'a\u0000b' }, /^invalid text: must not contain a NUL byte$/],
    ['a year-0 date', { ...note, text: 'x', at: '0000-01-01T00:00:00Z' }, /^invalid at: must be between 1970-01-01 and 9999-12-31$/],
    ['a transition id past bigint', { ...note, text: 'x', transitionId: '9223372036854775808' }, /^invalid transitionId: must be a transition id within PostgreSQL bigint$/],
    ['an empty text', { ...note, text: '' }, /^invalid text: must not be empty$/],
    ['a text of 2001 characters', { ...note, text: 'x'.repeat(2_001) }, /^invalid text: must be at most 2000 characters$/],
    ['a time without a zone', { ...note, text: 'x', at: '2026-11-23T10:00:00' }, /^invalid at: must be an ISO 8601 date-time with a zone, e\.g\. 2026-11-24T10:00:00Z$/],
    ['a time as a number', { ...note, text: 'x', at: 1_763_892_000_000 }, /^invalid at: must be an ISO 8601 date-time/],
    ['an end before the start', { ...note, text: 'x', endAt: '2026-11-23T10:00:00Z' }, /^invalid endAt: must not be before at$/],
    ['a lease name without its namespace', { ...note, text: 'x', cluster: 'prod-eu', name: 'kube-scheduler' }, /^invalid namespace: namespace and name go together, with cluster$/],
    ['a lease without its cluster', { ...note, text: 'x', namespace: 'kube-system', name: 'kube-scheduler' }, /^invalid name: namespace and name go together, with cluster$/],
    ['a transition id that is not one', { ...note, text: 'x', transitionId: 12 }, /^invalid transitionId: must be a transition id/],
    ['an unknown field', { ...note, text: 'x', severity: 'high' }, /unknown field severity \(accepted: text, at, endAt, cluster, namespace, name, transitionId\)$/],
    ['a list', [note], /^invalid input: /],
  ])('answers %s with 400 and names the field', async (_what, body, error) => {
    const answer = await callPost<{ error: string }>(postAnnotation, '/api/annotations', body);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatch(error);
  });

  it('refuses a transition id together with another lease', async () => {
    const [transition] = await db.store.prisma.transition.findMany({ where: { leaseId: euScheduler.id, cause: 'expiry' }, select: { id: true } });
    const answer = await callPost<{ error: string }>(postAnnotation, '/api/annotations', {
      ...note,
      text: 'x',
      transitionId: transition!.id.toString(),
      cluster: 'prod-us',
      namespace: 'kube-system',
      name: 'kube-scheduler',
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe(`invalid transitionId: transition ${transition!.id} belongs to prod-eu/kube-system/kube-scheduler`);
  });

  it.each([
    ['namespace=kube-system&name=kube-scheduler', 400, /^invalid name: namespace and name go together, with cluster$/],
    ['cluster=prod-eu&name=kube-scheduler', 400, /^invalid namespace: namespace and name go together, with cluster$/],
    ['lease=kube-scheduler', 400, /^unknown query parameter lease \(accepted: from, to, cluster, namespace, name, limit\)$/],
    ['from=yesterday', 400, /^invalid from: must be an ISO 8601 date-time/],
    ['cluster=prod-eu&namespace=kube-system&name=nope', 404, /^lease kube-system\/nope not found in cluster prod-eu$/],
  ])('answers GET ?%s with %i', async (query, status, error) => {
    const answer = await callGet<{ error: string }>(getAnnotations, `/api/annotations?${query}`);
    expect(answer.status).toBe(status);
    expect(answer.body.error).toMatch(error);
  });
});
