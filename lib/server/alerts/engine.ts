import type { Logger } from '../../log';
import { loadFlappingFacts, loadHeartbeatFacts, loadLeaderlessFacts, loadRenewLatencyFacts, loadStaleFacts, type Db } from '../../store/alert-facts';
import { applyOutcomes, loadCarriedSilences, loadEngineRules, loadOpenAlerts, withAlertLock, type EngineRule } from '../../store/alerts';
import type { PgStore } from '../../store/pg-store';
import { loadMatcherSilences } from '../../store/silences';
import { getSloOrThrow } from '../../store/slos';
import { sloSubjectOf, type SloBurnFacts } from '../../alerts/conditions';
import { readBurnWindowTimes } from '../slo/report-slo';
import { NotFoundError } from '../../errors';
import { DeliveryWorker, type Clock, type DeliveryWorkerOptions } from './delivery';
import { buildConditions, evaluateRule, type FactSet } from '../../alerts/evaluate';
import { ruleKinds, type AlertSnapshot, type RuleKind, type StateChange } from '../../alerts/types';

// What `transitions` events can change; renew latency and stale data move with the clock.
const transitionKinds: readonly RuleKind[] = ['flapping', 'leaderless'];

export type TransitionSource = {
  on(event: 'transitions', listener: (...args: unknown[]) => void): unknown;
  off(event: 'transitions', listener: (...args: unknown[]) => void): unknown;
};

export type AlertEngineOptions = {
  store: PgStore;
  log: Logger;
  // The controller: every stored batch with transitions triggers an evaluation.
  source?: TransitionSource;
  clock?: Clock;
  tickMs?: number;
  // slo_burn rules are evaluated on this slower clock (default 30 s).
  sloBurnTickMs?: number;
  debounceMs?: number;
  delivery?: Partial<Omit<DeliveryWorkerOptions, 'store' | 'log' | 'clock'>> | false;
};

export type EvaluationReport = {
  at: number;
  kinds: RuleKind[];
  rules: number;
  changes: Array<StateChange & { ruleId: number; subjectKey: string }>;
  notificationsQueued: number;
  nextEvaluationAt: Map<RuleKind, number | null>;
};

const minimumDelayMs = 10;

// The runnable: evaluates rules when transitions are stored and on a clock, reading facts and open
// alerts from PostgreSQL each time (level-based: a missed event costs a delay, never a wrong state,
// and a restart resumes from the database), then persists the pure evaluator's outcome.
export class AlertEngine {
  readonly delivery: DeliveryWorker | undefined;
  private readonly clock: Clock;
  // When each kind is next due by the clock (tick, deadlines), and when something asked for it sooner.
  private readonly dueAt = new Map<RuleKind, number>();
  private readonly requestedAt = new Map<RuleKind, number>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt: number | null = null;
  private running: Promise<void> | undefined;
  private isStarted = false;
  private isStopped = false;
  private failures = 0;

  constructor(private readonly options: AlertEngineOptions) {
    this.clock = options.clock ?? { now: Date.now };
    this.delivery = options.delivery === false ? undefined : new DeliveryWorker({ ...options.delivery, store: options.store, log: options.log.child({ component: 'delivery' }), clock: this.clock });
  }

  start(signal?: AbortSignal): void {
    if (this.isStarted) return;
    this.isStarted = true;
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    const now = this.clock.now();
    for (const kind of ruleKinds) this.dueAt.set(kind, now);
    this.options.source?.on('transitions', this.onTransitions);
    this.delivery?.start();
    this.arm();
  }

  async stop(): Promise<void> {
    if (this.isStopped) return;
    this.isStopped = true;
    this.options.source?.off('transitions', this.onTransitions);
    clearTimeout(this.timer);
    await this.running;
    await this.delivery?.stop();
  }

  // Evaluations run one at a time; a request during one is served right after it.
  requestEvaluation(kinds: readonly RuleKind[] = ruleKinds, delayMs = 0): void {
    const at = this.clock.now() + delayMs;
    for (const kind of kinds) this.requestedAt.set(kind, Math.min(this.requestedAt.get(kind) ?? Infinity, at));
    this.arm();
  }

  // Burn windows of 5 min to 6 h move slowly and cost a rollup read per window: a coarser clock.
  private tickMsOf(kind: RuleKind): number {
    return kind === 'slo_burn' ? (this.options.sloBurnTickMs ?? 30_000) : (this.options.tickMs ?? 5_000);
  }

  private nextDue(kind: RuleKind): number {
    return Math.min(this.dueAt.get(kind) ?? Infinity, this.requestedAt.get(kind) ?? Infinity);
  }

  private readonly onTransitions = () => this.requestEvaluation(transitionKinds, this.options.debounceMs ?? 50);

  private arm(): void {
    if (this.isStopped || !this.isStarted || this.running) return;
    const next = Math.min(...ruleKinds.map((kind) => this.nextDue(kind)));
    if (!Number.isFinite(next)) return;
    if (this.timerAt !== null && this.timerAt <= next) return;
    clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(() => this.runDue(), Math.max(0, next - this.clock.now()));
  }

  private runDue(): void {
    this.timerAt = null;
    if (this.isStopped) return;
    const now = this.clock.now();
    const kinds = ruleKinds.filter((kind) => this.nextDue(kind) <= now);
    if (kinds.length === 0) return this.arm();
    // Requests arriving from here on see data this evaluation may have missed: they stay for the next one.
    for (const kind of kinds) this.requestedAt.delete(kind);
    this.running = this.evaluate(kinds, now)
      .then((report) => {
        this.failures = 0;
        for (const kind of kinds) {
          const next = report.nextEvaluationAt.get(kind) ?? null;
          this.dueAt.set(kind, Math.max(now + minimumDelayMs, Math.min(now + this.tickMsOf(kind), next ?? Infinity)));
        }
      })
      .catch((error: unknown) => {
        this.failures += 1;
        const retryAt = now + Math.min(this.options.tickMs ?? 5_000, 250 * 2 ** Math.min(this.failures, 6));
        for (const kind of kinds) this.dueAt.set(kind, retryAt);
        this.options.log.warn({ err: (error as Error).message, failures: this.failures }, 'alert evaluation failed; will retry');
      })
      .finally(() => {
        this.running = undefined;
        this.arm();
      });
  }

  async evaluate(kinds: readonly RuleKind[] = ruleKinds, now: number = this.clock.now()): Promise<EvaluationReport> {
    const report: EvaluationReport = { at: now, kinds: [...kinds], rules: 0, changes: [], notificationsQueued: 0, nextEvaluationAt: new Map(kinds.map((kind) => [kind, null])) };
    // Burn windows are the heaviest facts: read before taking the alert lock (facts are level-based,
    // so reading them a moment earlier changes nothing), so silences and other replicas do not wait on them.
    const sloBurnFacts = kinds.includes('slo_burn') ? await this.loadSloBurnForRules(now) : new Map<number, SloBurnFacts[]>();
    await withAlertLock(this.options.store, async (db) => {
      const { rules, invalid } = await loadEngineRules(db, kinds);
      for (const rule of invalid) this.options.log.error({ rule: rule.name, err: rule.error }, 'alert rule has invalid parameters; not evaluated');
      if (rules.length === 0) return;
      report.rules = rules.length;
      const ruleIds = rules.map((rule) => rule.spec.id);
      const openAlerts = await loadOpenAlerts(db, ruleIds);
      const silences = await loadCarriedSilences(db, ruleIds, new Date(now));
      const matcherSilences = await loadMatcherSilences(db, new Date(now));
      const facts = await this.loadFacts(db, rules, now, sloBurnFacts);
      for (const rule of rules) {
        const open = openAlerts.get(rule.spec.id) ?? [];
        const evaluation = evaluateRule({
          rule: rule.spec,
          conditions: rule.spec.enabled ? buildConditions(rule.spec, facts, now) : [],
          openAlerts: open,
          silences: silences.get(rule.spec.id) ?? new Map(),
          matcherSilences,
          now,
        });
        const before = new Map<string, AlertSnapshot>(open.map((alert) => [alert.id, alert.snapshot]));
        const silencedBefore = new Map(open.map((alert) => [alert.id, alert.silencedBy ?? null]));
        report.notificationsQueued += await applyOutcomes(db, rule, evaluation.outcomes, before, new Date(now), silencedBefore);
        for (const outcome of evaluation.outcomes) for (const change of outcome.changes) report.changes.push({ ...change, ruleId: rule.spec.id, subjectKey: outcome.subjectKey });
        const previous = report.nextEvaluationAt.get(rule.spec.kind) ?? null;
        const next = evaluation.nextEvaluationAt;
        report.nextEvaluationAt.set(rule.spec.kind, previous === null ? next : next === null ? previous : Math.min(previous, next));
      }
    });
    for (const change of report.changes) this.options.log.info({ rule: change.ruleId, subject: change.subjectKey, from: change.from, to: change.to, note: change.note }, 'alert state changed');
    if (report.notificationsQueued > 0) this.delivery?.wake();
    return report;
  }

  // One query per kind (per window for renew latency) serves every rule of that kind.
  private async loadSloBurnForRules(now: number): Promise<Map<number, SloBurnFacts[]>> {
    const { rules } = await loadEngineRules(this.options.store.pool, ['slo_burn']);
    const sloBurn = new Map<number, SloBurnFacts[]>();
    for (const rule of rules) {
      if (rule.spec.enabled && rule.spec.kind === 'slo_burn' && !sloBurn.has(rule.spec.params.sloId)) sloBurn.set(rule.spec.params.sloId, await this.loadSloBurnFacts(rule.spec.params.sloId, now));
    }
    return sloBurn;
  }

  private async loadFacts(db: Db, rules: readonly EngineRule[], now: number, sloBurnRead: ReadonlyMap<number, SloBurnFacts[]>): Promise<FactSet> {
    const enabled = rules.filter((rule) => rule.spec.enabled).map((rule) => rule.spec);
    const facts: FactSet = {};
    const flapping = enabled.flatMap((rule) => (rule.kind === 'flapping' ? [rule.params.windowSeconds + rule.quietSeconds] : []));
    if (flapping.length > 0) facts.flapping = await loadFlappingFacts(db, new Date(now - Math.max(...flapping) * 1_000));
    if (enabled.some((rule) => rule.kind === 'leaderless')) facts.leaderless = await loadLeaderlessFacts(db);
    const windows = new Set(enabled.flatMap((rule) => (rule.kind === 'renew_latency' ? [rule.params.windowSeconds] : [])));
    if (windows.size > 0) {
      const renewLatency = new Map<number, Awaited<ReturnType<typeof loadRenewLatencyFacts>>>();
      for (const windowSeconds of windows) renewLatency.set(windowSeconds, await loadRenewLatencyFacts(db, new Date(now - windowSeconds * 1_000)));
      facts.renewLatency = renewLatency;
    }
    if (enabled.some((rule) => rule.kind === 'stale_data')) facts.stale = await loadStaleFacts(db);
    const heartbeatWindows = new Set(enabled.flatMap((rule) => (rule.kind === 'heartbeat_gap' ? [rule.params.windowSeconds] : [])));
    if (heartbeatWindows.size > 0) {
      const heartbeat = new Map<number, Awaited<ReturnType<typeof loadHeartbeatFacts>>>();
      for (const windowSeconds of heartbeatWindows) heartbeat.set(windowSeconds, await loadHeartbeatFacts(db, new Date(now - windowSeconds * 1_000)));
      facts.heartbeat = heartbeat;
    }
    const sloIds = new Set(enabled.flatMap((rule) => (rule.kind === 'slo_burn' ? [rule.params.sloId] : [])));
    if (sloIds.size > 0) {
      const sloBurn = new Map<number, SloBurnFacts[]>();
      // A rule created since the read before the lock: read its SLO now.
      for (const sloId of sloIds) sloBurn.set(sloId, sloBurnRead.get(sloId) ?? (await this.loadSloBurnFacts(sloId, now)));
      facts.sloBurn = sloBurn;
    }
    return facts;
  }

  // One subject per SLO, its time summed over its scope — the same figures (readBurnWindowTimes) as
  // the SLO page's burn windows: one leaderless lease of a hundred burns the SLO's budget ~1/100 as
  // fast as its own would. An SLO deleted under its rule leaves the rule with nothing to judge.
  private async loadSloBurnFacts(sloId: number, now: number): Promise<SloBurnFacts[]> {
    const slo = await getSloOrThrow(this.options.store, sloId).catch((error: unknown) => {
      if (error instanceof NotFoundError) return null;
      throw error;
    });
    if (!slo) {
      this.options.log.error({ slo: sloId }, 'an slo_burn rule names an SLO that does not exist; not evaluated');
      return [];
    }
    const { windows, isGapListTruncated } = await readBurnWindowTimes(this.options.store, slo, now);
    return [{ subject: sloSubjectOf(slo), sloName: slo.name, target: slo.targetPercent / 100, windows, isGapListTruncated }];
  }
}
