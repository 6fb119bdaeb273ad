import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as adviceRoute from '../../../app/api/leases/[cluster]/[namespace]/[name]/advisor/route';
import * as sloRoute from '../../../app/api/slos/[id]/route';
import * as exportRoute from '../../../app/api/slos/export/route';
import * as slosRoute from '../../../app/api/slos/route';
import * as rulesRoute from '../../../app/api/alert-rules/route';
import * as ruleRoute from '../../../app/api/alert-rules/[id]/route';
import { loggerFor } from '../../../lib/log';
import { AlertEngine } from '../../../lib/server/alerts/engine';
import { failoverLimit } from '../../../lib/server/advisor/advise-lease';
import { gapLimit, reportSlo } from '../../../lib/server/slo/report-slo';
import { getSloOrThrow } from '../../../lib/store/slos';
import type { Lease } from '../../../lib/store/generated/prisma/client';
import { createMigratedDatabase, type MigratedDatabase } from '../helpers/database';
import { pointRoutesAtStore } from '../helpers/routes';
import { seedCluster, seedGap, seedLease, seedRenewSamples, seedTransitions } from '../helpers/seed';
import { callRoute } from '../alerts/support';

// A seeded history whose truth is known by construction: over the last two days kube-scheduler had
// one 60 s leaderless period and its cluster one 1 h blind spot; kube-controller-manager failed over
// five times, four by expiry (15 s without a leader each) and once by release (2 s), and renewed every
// 2 s with 10 of 300 renewals taking 6.1 s.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const now = Date.now();
const ago = (ms: number) => new Date(now - ms);

let db: MigratedDatabase;
let restore: () => void;
let scheduler: Lease;
let manager: Lease;

beforeAll(async () => {
  db = await createMigratedDatabase('slo_advisor');
  restore = pointRoutesAtStore(db.store);
  const cluster = await seedCluster(db.store, 'prod-eu', { lastSeenAt: new Date(now), createdAt: ago(3 * DAY) });
  const since = { createdAt: ago(3 * DAY), observedAt: ago(3 * DAY) };
  scheduler = await seedLease(db.store, cluster, { namespace: 'kube-system', name: 'kube-scheduler', holderIdentity: 'b', leaseDurationSeconds: 15, ...since });
  manager = await seedLease(db.store, cluster, { namespace: 'kube-system', name: 'kube-controller-manager', holderIdentity: 'f', leaseDurationSeconds: 15, ...since });

  await seedTransitions(db.store, scheduler, [
    { at: ago(3 * DAY), kind: 'acquired', cause: 'first', toHolder: 'a', eventKey: 's-first' },
    { at: ago(DAY), kind: 'released', fromHolder: 'a', eventKey: 's-released' },
    { at: ago(DAY - 60_000), kind: 'acquired', cause: 'release', fromHolder: 'a', toHolder: 'b', leaderlessMs: 60_000, eventKey: 's-acquired' },
  ]);
  await seedGap(db.store, cluster, { startedAt: ago(12 * HOUR), endedAt: ago(11 * HOUR) });

  const failovers: Parameters<typeof seedTransitions>[2] = [{ at: ago(3 * DAY), kind: 'acquired', cause: 'first', toHolder: 'a', eventKey: 'm-first' }];
  ['b', 'c', 'd', 'e'].forEach((holder, i) => {
    const at = now - (40 - i * 6) * HOUR;
    failovers.push({ at: new Date(at), kind: 'expired', eventKey: `m-expired-${i}` });
    failovers.push({ at: new Date(at + 15_000), kind: 'acquired', cause: 'expiry', toHolder: holder, leaderlessMs: 15_000, eventKey: `m-acquired-${i}` });
  });
  failovers.push({ at: ago(4 * HOUR), kind: 'released', eventKey: 'm-released' });
  failovers.push({ at: new Date(now - 4 * HOUR + 2_000), kind: 'acquired', cause: 'release', toHolder: 'f', leaderlessMs: 2_000, eventKey: 'm-acquired-release' });
  await seedTransitions(db.store, manager, failovers);
  await seedRenewSamples(
    db.store,
    manager,
    Array.from({ length: 300 }, (_, i) => ({ renewTime: ago(2 * HOUR - i * 2_000), intervalMs: i % 30 === 0 ? 6_100 : 2_000, lagMs: 50 })),
  );
});

afterAll(async () => {
  restore();
  await db.drop();
});

type Report = {
  status: { sliPercent: number; observedSeconds: number; notObservedSeconds: number; leaderlessSeconds: number; allowedLeaderlessSeconds: number; budgetRemainingPercent: number; isMet: boolean };
  leases: Array<{ name: string }>;
  chart: Array<{ budgetRemainingPercent: number }>;
  burn: Array<{ factor: number; isBurning: boolean }>;
};

describe('a leadership SLO on a seeded history', () => {
  it('counts the leaderless minute against the target and leaves the blind hour out of both sides', async () => {
    const created = await callRoute<{ slo: { id: number } }>(slosRoute.POST, 'POST', '/api/slos', {
      body: { name: 'scheduler', clusterPattern: 'prod-*', namespacePattern: 'kube-system', leasePattern: 'kube-scheduler', targetPercent: 99.9, windowDays: 2 },
    });
    expect(created.status).toBe(201);
    const id = String(created.body.slo.id);
    const report = await callRoute<Report>(sloRoute.GET, 'GET', `/api/slos/${id}`, { params: { id } });
    expect(report.status).toBe(200);
    const { status } = report.body;
    expect(report.body.leases.map((lease) => lease.name)).toEqual(['kube-scheduler']);
    expect(status.notObservedSeconds).toBeCloseTo(3_600, 0);
    expect(status.leaderlessSeconds).toBeCloseTo(60, 0);
    expect(status.observedSeconds).toBeCloseTo(47 * 3_600, -1);
    const allowed = 0.001 * 47 * 3_600;
    expect(status.allowedLeaderlessSeconds).toBeCloseTo(allowed, 0);
    expect(status.budgetRemainingPercent).toBeCloseTo((1 - 60 / allowed) * 100, 1);
    expect(status.sliPercent).toBeCloseTo((1 - 60 / (47 * 3_600)) * 100, 3);
    expect(status.isMet).toBe(true);
    expect(report.body.chart.at(-1)?.budgetRemainingPercent).toBeCloseTo(status.budgetRemainingPercent, 1);
    const budgets = report.body.chart.map((point) => point.budgetRemainingPercent);
    expect(budgets).toEqual([...budgets].sort((a, b) => b - a));
    expect(report.body.burn.map((b) => [b.factor, b.isBurning])).toEqual([
      [14.4, false],
      [6, false],
    ]);
  });

  it('exports every SLO as CSV with its figures', async () => {
    const response = await exportRoute.GET(new Request('http://leasetrail.test/api/slos/export?format=csv'), { params: Promise.resolve({}) as Promise<never> });
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const [header, row] = (await response.text()).trim().split(/\r?\n/);
    expect(header).toBe(
      'name,clusterPattern,namespacePattern,leasePattern,labelSelector,targetPercent,windowDays,from,to,sliPercent,observedSeconds,notObservedSeconds,leaderlessSeconds,allowedLeaderlessSeconds,budgetRemainingPercent,isMet',
    );
    expect(row).toMatch(/^scheduler,prod-\*,kube-system,kube-scheduler,,99\.9,2,/);
    expect(row).toMatch(/,true$/);
  });

  it('refuses a target of 100 % and an unknown SLO with clear 4xx answers', async () => {
    const hundred = await callRoute<{ error: string }>(slosRoute.POST, 'POST', '/api/slos', { body: { name: 'x', targetPercent: 100 } });
    expect(hundred.status).toBe(400);
    expect(hundred.body.error).toMatch(/targetPercent must be below 100/);
    const missing = await callRoute<{ error: string }>(sloRoute.GET, 'GET', '/api/slos/999', { params: { id: '999' } });
    expect(missing.status).toBe(404);
  });
});

type Advice = {
  settings: { retryPeriod: { seconds: number; source: string }; renewDeadline: { seconds: number; source: string } };
  samples: { renewIntervals: number; failovers: number };
  failovers: { total: number; expiries: number; releases: number; expiryLeaderlessMs: number; releaseLeaderlessMs: number };
  findings: Array<{ id: string; text: string }>;
  recommendations: Array<{ setting: string; recommended: string; reasoning: string }>;
};

describe('the timing advisor on a seeded history', () => {
  it('reads percentiles, infers RetryPeriod, counts expiries and recommends ReleaseOnCancel with its evidence', async () => {
    const params = { cluster: 'prod-eu', namespace: 'kube-system', name: 'kube-controller-manager' };
    const answer = await callRoute<Advice>(adviceRoute.GET, 'GET', '/api/leases/prod-eu/kube-system/kube-controller-manager/advisor?days=7&renewDeadlineSeconds=10', { params });
    expect(answer.status).toBe(200);
    const advice = answer.body;
    expect(advice.samples).toMatchObject({ renewIntervals: 300, failovers: 5 });
    expect(advice.settings.retryPeriod).toEqual({ seconds: 2, source: 'inferred' });
    expect(advice.settings.renewDeadline).toEqual({ seconds: 10, source: 'given' });
    expect(advice.findings.find((f) => f.id === 'renew-margin-ok')?.text).toBe('p99 renew interval 6.1 s against a 10 s RenewDeadline (given) leaves 39 % margin');
    expect(advice.failovers).toMatchObject({ total: 5, expiries: 4, releases: 1, expiryLeaderlessMs: 15_000, releaseLeaderlessMs: 2_000 });
    const release = advice.recommendations.find((r) => r.setting === 'ReleaseOnCancel');
    expect(release?.reasoning).toContain('from ~15 s to ~2 s');
    expect(release?.reasoning).toContain('4 of 5 failovers in 7 days were expiries');
  });

  it('answers 400 for a bad setting and 404 for an unknown lease', async () => {
    const params = { cluster: 'prod-eu', namespace: 'kube-system', name: 'kube-controller-manager' };
    const bad = await callRoute<{ error: string }>(adviceRoute.GET, 'GET', '/api/leases/prod-eu/kube-system/kube-controller-manager/advisor?renewDeadlineSeconds=-3', { params });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/renewDeadlineSeconds must be a number of seconds/);
    const unknown = await callRoute(adviceRoute.GET, 'GET', '/api/leases/prod-eu/kube-system/nothing/advisor', { params: { ...params, name: 'nothing' } });
    expect(unknown.status).toBe(404);
  });
});

describe('an slo_burn rule', () => {
  it('judges the SLO as a whole: one leaderless lease of ten burns what the SLO page says, in one alert', async () => {
    const cluster = await db.store.prisma.cluster.findFirstOrThrow({ where: { name: 'prod-eu' } });
    for (let i = 0; i < 10; i++) {
      const lease = await seedLease(db.store, cluster, { namespace: 'fleet', name: `svc-${i}`, holderIdentity: 'a', leaseDurationSeconds: 15, createdAt: ago(3 * DAY), observedAt: ago(3 * DAY) });
      const history: Parameters<typeof seedTransitions>[2] = [{ at: ago(3 * DAY), kind: 'acquired', cause: 'first', toHolder: 'a', eventKey: `f${i}-first` }];
      if (i === 0) {
        history.push({ at: ago(50 * 60_000), kind: 'expired', eventKey: 'f0-expired' });
        history.push({ at: ago(60_000), kind: 'acquired', cause: 'expiry', toHolder: 'b', leaderlessMs: 49 * 60_000, eventKey: 'f0-acquired' });
      }
      await seedTransitions(db.store, lease, history);
    }
    const slo = await callRoute<{ slo: { id: number } }>(slosRoute.POST, 'POST', '/api/slos', { body: { name: 'fleet', namespacePattern: 'fleet', targetPercent: 99.9, windowDays: 30 } });
    const rule = await callRoute<{ rule: { id: number } }>(rulesRoute.POST, 'POST', '/api/alert-rules', { body: { name: 'fleet burning', kind: 'slo_burn', params: { sloId: slo.body.slo.id } } });
    expect(rule.status).toBe(201);

    const at = Date.now();
    const engine = new AlertEngine({ store: db.store, log: loggerFor('slo-burn-test'), delivery: false });
    await engine.evaluate(['slo_burn'], at);
    const alerts = await db.store.prisma.alert.findMany({ where: { ruleId: rule.body.rule.id } });
    expect(alerts.map((alert) => [alert.subjectKey, alert.state])).toEqual([['*/fleet/*', 'firing']]);

    const page = await reportSlo(db.store, await getSloOrThrow(db.store, slo.body.slo.id), new Date(at));
    const worst = Math.max(...page.burn.map((reading) => reading.shortRate ?? 0));
    // ~29 of 300 lease-minutes leaderless over the last 30 min: ~10 % against a 0.1 % allowance (per lease it would be ~1000×).
    expect(worst).toBeGreaterThan(80);
    expect(worst).toBeLessThanOrEqual(100);
    expect(alerts[0]!.value).toBe(Math.round(worst * 10) / 10);
    for (const reading of page.burn) expect(alerts[0]!.summary).toContain(`${Math.round(reading.longRate! * 10) / 10}× over`);
  });

  it('fires for a lease burning its budget over both windows of a pair, and says how fast', async () => {
    const cluster = await db.store.prisma.cluster.findFirstOrThrow({ where: { name: 'prod-eu' } });
    const operator = await seedLease(db.store, cluster, { namespace: 'operators', name: 'burning-operator', holderIdentity: 'b', leaseDurationSeconds: 15, createdAt: ago(3 * DAY), observedAt: ago(3 * DAY) });
    await seedTransitions(db.store, operator, [
      { at: ago(3 * DAY), kind: 'acquired', cause: 'first', toHolder: 'a', eventKey: 'o-first' },
      { at: ago(8 * 60_000), kind: 'expired', eventKey: 'o-expired' },
      { at: ago(2 * 60_000), kind: 'acquired', cause: 'expiry', toHolder: 'b', leaderlessMs: 6 * 60_000, eventKey: 'o-acquired' },
    ]);
    const slo = await callRoute<{ slo: { id: number } }>(slosRoute.POST, 'POST', '/api/slos', { body: { name: 'operators', namespacePattern: 'operators', targetPercent: 99.9, windowDays: 30 } });
    const rule = await callRoute<{ error?: string }>(rulesRoute.POST, 'POST', '/api/alert-rules', { body: { name: 'operators burning', kind: 'slo_burn', params: { sloId: slo.body.slo.id } } });
    expect(rule.status).toBe(201);

    const engine = new AlertEngine({ store: db.store, log: loggerFor('slo-burn-test'), delivery: false });
    const report = await engine.evaluate(['slo_burn'], Date.now());
    expect(report.changes).toEqual([expect.objectContaining({ to: 'firing', subjectKey: '*/operators/*' })]);
    const alert = await db.store.prisma.alert.findFirstOrThrow({ where: { subjectKey: '*/operators/*' } });
    expect(alert.summary).toMatch(/^error budget of SLO "operators" \(99\.9 %\) burning \d+(\.\d)?× over 1 h and \d+(\.\d)?× over 5 min \(threshold 14\.4×\); /);
  });
});

describe('a burn pair whose short window was barely observed', () => {
  it('is judged on its long window alone, on the SLO page and in the rule text', async () => {
    // Leaderless from 50 to 6 min ago; then blind for the last 4 min 40 s: the 5 min window saw 20 s, all led.
    const blindSince = new Date(Date.now() - 280_000);
    const thin = await seedCluster(db.store, 'thin', { lastSeenAt: blindSince, createdAt: ago(3 * DAY) });
    const lease = await seedLease(db.store, thin, { namespace: 'ops', name: 'thin-operator', holderIdentity: 'b', leaseDurationSeconds: 15, createdAt: ago(3 * DAY), observedAt: ago(3 * DAY) });
    await seedTransitions(db.store, lease, [
      { at: ago(3 * DAY), kind: 'acquired', cause: 'first', toHolder: 'a', eventKey: 't-first' },
      { at: ago(50 * 60_000), kind: 'expired', eventKey: 't-expired' },
      { at: ago(6 * 60_000), kind: 'acquired', cause: 'expiry', toHolder: 'b', leaderlessMs: 44 * 60_000, eventKey: 't-acquired' },
    ]);
    await seedGap(db.store, thin, { startedAt: blindSince, endedAt: null });
    const slo = await callRoute<{ slo: { id: number } }>(slosRoute.POST, 'POST', '/api/slos', { body: { name: 'thin', clusterPattern: 'thin', targetPercent: 99.9, windowDays: 7 } });
    const id = String(slo.body.slo.id);
    const at = Date.now();
    const report = await callRoute<{ burn: Array<{ factor: number; shortRate: number; shortObservedSeconds: number; isShortJudged: boolean; isBurning: boolean }> }>(sloRoute.GET, 'GET', `/api/slos/${id}`, { params: { id } });
    const [hour] = report.body.burn;
    expect(hour).toMatchObject({ factor: 14.4, shortRate: 0, isShortJudged: false, isBurning: true });
    expect(hour!.shortObservedSeconds).toBeGreaterThanOrEqual(19);
    expect(hour!.shortObservedSeconds).toBeLessThanOrEqual(22);

    const rule = await callRoute<{ rule: { id: number } }>(rulesRoute.POST, 'POST', '/api/alert-rules', { body: { name: 'thin burning', kind: 'slo_burn', params: { sloId: slo.body.slo.id } } });
    const engine = new AlertEngine({ store: db.store, log: loggerFor('slo-burn-test'), delivery: false });
    await engine.evaluate(['slo_burn'], at);
    const alert = await db.store.prisma.alert.findFirstOrThrow({ where: { ruleId: rule.body.rule.id } });
    expect(alert.state).toBe('firing');
    expect(alert.summary).toMatch(/over 1 h \(threshold 14\.4×; only 2\d(\.\d+)? s of the last 5 min observed, under the 50 % needed to count: judged on the 1 h window alone\)/);
    await callRoute(ruleRoute.DELETE, 'DELETE', `/api/alert-rules/${rule.body.rule.id}`, { params: { id: String(rule.body.rule.id) } });
  });
});

describe('an slo_burn rule and its SLO', () => {
  it('refuses a rule naming a missing SLO (400) and the deletion of an SLO a rule uses (409)', async () => {
    const missing = await callRoute<{ error: string }>(rulesRoute.POST, 'POST', '/api/alert-rules', { body: { name: 'nowhere burning', kind: 'slo_burn', params: { sloId: 99_999 } } });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe('invalid params.sloId: no SLO with id 99999');
    expect(await db.store.prisma.alertRule.count({ where: { name: 'nowhere burning' } })).toBe(0);

    const slo = await callRoute<{ slo: { id: number } }>(slosRoute.POST, 'POST', '/api/slos', { body: { name: 'kept', targetPercent: 99, windowDays: 7 } });
    const id = String(slo.body.slo.id);
    const rule = await callRoute<{ rule: { id: number } }>(rulesRoute.POST, 'POST', '/api/alert-rules', { body: { name: 'kept burning', kind: 'slo_burn', params: { sloId: slo.body.slo.id } } });
    expect(rule.status).toBe(201);
    const refused = await callRoute<{ error: string }>(sloRoute.DELETE, 'DELETE', `/api/slos/${id}`, { params: { id } });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe(`SLO ${id} is used by alert rule "kept burning"; delete or change it first`);
    expect(await db.store.prisma.slo.count({ where: { id: slo.body.slo.id } })).toBe(1);

    const ruleId = String(rule.body.rule.id);
    expect((await callRoute(ruleRoute.DELETE, 'DELETE', `/api/alert-rules/${ruleId}`, { params: { id: ruleId } })).status).toBeLessThan(300);
    expect((await callRoute(sloRoute.DELETE, 'DELETE', `/api/slos/${id}`, { params: { id } })).status).toBeLessThan(300);
  });
});

describe('answers that would rest on truncated reads', () => {
  it('flags an SLO whose window has more observation gaps than are read, instead of counting blind time as observed', async () => {
    const blind = await seedCluster(db.store, 'blind', { lastSeenAt: new Date(now), createdAt: ago(3 * DAY) });
    await db.store.pool.query(
      `INSERT INTO "ObservationGap" ("clusterId", "startedAt", "endedAt", reason)
       SELECT $1::int, $2::timestamptz + g * interval '10 seconds', $2::timestamptz + g * interval '10 seconds' + interval '1 second', 'watch_lost'
         FROM generate_series(0, $3::int) g`,
      [blind.id, ago(30 * HOUR), gapLimit],
    );
    const slo = await db.store.prisma.slo.findFirstOrThrow({ where: { name: 'scheduler' } });
    const report = await callRoute<{ warning: string | null }>(sloRoute.GET, 'GET', `/api/slos/${slo.id}`, { params: { id: String(slo.id) } });
    expect(report.status).toBe(200);
    expect(report.body.warning).toMatch(/part of the not-observed time is counted as observed/);
    const list = await callRoute<{ slos: Array<{ warning: string | null }> }>(slosRoute.GET, 'GET', '/api/slos');
    expect(list.body.slos.every((entry) => entry.warning !== null)).toBe(true);
  });

  it('refuses advice that would count only some of a lease\'s failovers, naming days', async () => {
    const cluster = await db.store.prisma.cluster.findFirstOrThrow({ where: { name: 'prod-eu' } });
    const flappy = await seedLease(db.store, cluster, { namespace: 'kube-system', name: 'flappy', holderIdentity: 'a', leaseDurationSeconds: 15, createdAt: ago(3 * DAY), observedAt: ago(3 * DAY) });
    await db.store.pool.query(
      `INSERT INTO "Transition" ("leaseId", "clusterId", "eventKey", kind, cause, at, "observedAt", "fromHolder", "toHolder")
       SELECT $1::int, $2::int, 'flap-' || g, 'acquired', 'expiry', $3::timestamptz + g * interval '1 second', $3::timestamptz + g * interval '1 second', 'a', 'b'
         FROM generate_series(0, $4::int) g`,
      [flappy.id, cluster.id, ago(5 * HOUR), failoverLimit],
    );
    const params = { cluster: 'prod-eu', namespace: 'kube-system', name: 'flappy' };
    const answer = await callRoute<{ error: string }>(adviceRoute.GET, 'GET', '/api/leases/prod-eu/kube-system/flappy/advisor?days=1', { params });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatch(/^invalid days: more than 10,000 changes of leader in 1 days; choose fewer days/);
    // Another lease of the namespace is not cut short by flappy's rows.
    const other = await callRoute<{ samples: { failovers: number } }>(adviceRoute.GET, 'GET', '/api/leases/prod-eu/kube-system/kube-controller-manager/advisor?days=7', {
      params: { ...params, name: 'kube-controller-manager' },
    });
    expect(other.body.samples.failovers).toBe(5);
  });
});

describe('the advisor on a long history', () => {
  // 10,000 intervals of which 11 took 6.1 s: p99.9 (percentile_cont, rank 0.999 × 9,999) is the first of them.
  // The lease's first sample has no interval and counts for nothing.
  async function seedSteady(name: string, intervals: number) {
    const cluster = await db.store.prisma.cluster.findFirstOrThrow({ where: { name: 'prod-eu' } });
    const lease = await seedLease(db.store, cluster, { namespace: 'kube-system', name, holderIdentity: 'a', leaseDurationSeconds: 15, createdAt: ago(3 * DAY), observedAt: ago(3 * DAY) });
    await db.store.pool.query(
      `INSERT INTO "RenewSample" ("leaseId", "renewTime", "intervalMs", "lagMs")
       SELECT $1::int, $2::timestamptz + g * interval '2 seconds', CASE WHEN g = 0 THEN NULL WHEN g % 900 = 0 THEN 6100 ELSE 2000 END, 40
         FROM generate_series(0, $3::int) g`,
      [lease.id, ago(30 * HOUR), intervals],
    );
  }

  it('reads p99.9 from 10,000 renew intervals and says so; with one fewer it judges on p99', async () => {
    await seedSteady('steady', 10_000);
    await seedSteady('almost', 9_999);
    const advise = (name: string) =>
      callRoute<{ samples: { renewIntervals: number; tailPercentile: string }; findings: Array<{ id: string; text: string; evidence: string }> }>(
        adviceRoute.GET,
        'GET',
        `/api/leases/prod-eu/kube-system/${name}/advisor?days=2&renewDeadlineSeconds=10&retryPeriodSeconds=2`,
        { params: { cluster: 'prod-eu', namespace: 'kube-system', name } },
      );
    const steady = await advise('steady');
    expect(steady.status).toBe(200);
    expect(steady.body.samples).toMatchObject({ renewIntervals: 10_000, tailPercentile: 'p99.9' });
    const margin = steady.body.findings.find((f) => f.id === 'renew-margin-ok')!;
    expect(margin.text).toBe('p99.9 renew interval 6.1 s against a 10 s RenewDeadline (given) leaves 39 % margin');
    expect(margin.evidence).toMatch(/^p99\.9 of 10000 renew intervals; p50 2 s, p99 2 s, p99\.9 6\.1 s, max 6\.1 s over 10000 renewals in 2 days$/);

    const almost = await advise('almost');
    expect(almost.body.samples).toMatchObject({ renewIntervals: 9_999, tailPercentile: 'p99' });
    expect(almost.body.findings.find((f) => f.id === 'renew-margin-ok')?.text).toBe('p99 renew interval 2 s against a 10 s RenewDeadline (given) leaves 80 % margin');
  });
});
