import type { OpenAlert, AlertOutcome } from '../alerts/evaluate';
import { groupKeyOf, groupSendAt, type GroupTiming } from '../alerts/grouping';
import { parseRuleDefinition } from '../alerts/params';
import type { AlertRuleSpec, AlertSnapshot, RuleDefinition, RuleKind, RuleScope } from '../alerts/types';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import type { Store } from './client';
import type { Db } from './alert-facts';
import type { Alert, AlertRule, Prisma } from './generated/prisma/client';
import type { AlertState, ChannelKind, DeliveryStatus } from './generated/prisma/enums';
import { execute, inTransaction, isUniqueViolation, queryRow, queryRows, type PgStore } from './pg-store';
import { sql } from './sql';
import type { TimeRange } from './time-range';

// One lock serialises every writer of alert state (each replica's engine, silences from the API),
// so two replicas never both open an alert for the same subject.
const alertLockNamespace = 0x4c41;
const alertLockKey = 1;

export async function withAlertLock<T>(store: PgStore, run: (db: Db) => Promise<T>): Promise<T> {
  return inTransaction(
    store.pool,
    async (tx) => {
      await execute(tx, sql`SELECT pg_advisory_xact_lock(${alertLockNamespace}::int, ${alertLockKey}::int)`);
      return run(tx);
    },
    { timeoutMs: 60_000 },
  );
}

type PrismaDb = Prisma.TransactionClient | Store['prisma'];

// ---------- rules ----------

export type RuleWrite = RuleDefinition & RuleScope & { name: string; enabled: boolean; forSeconds: number; quietSeconds: number; runbookUrl: string | null; groupBy: string[]; groupWaitSeconds: number; groupIntervalSeconds: number; repeatIntervalSeconds: number; channelIds: number[] };

export type RuleRecord = Omit<AlertRule, 'params'> & { params: Record<string, unknown>; channelIds: number[]; openAlerts: number; firingAlerts: number };

const ruleInclude = { channels: { select: { channelId: true }, orderBy: { channelId: 'asc' } } } satisfies Prisma.AlertRuleInclude;

type RuleRow = Prisma.AlertRuleGetPayload<{ include: typeof ruleInclude }>;

async function openCounts(db: PrismaDb, ruleIds: number[]): Promise<Map<number, { open: number; firing: number }>> {
  const counts = new Map<number, { open: number; firing: number }>();
  if (ruleIds.length === 0) return counts;
  const rows = await db.alert.groupBy({ by: ['ruleId', 'state'], where: { ruleId: { in: ruleIds }, state: { in: ['pending', 'firing'] } }, _count: { _all: true } });
  for (const row of rows) {
    const entry = counts.get(row.ruleId) ?? { open: 0, firing: 0 };
    entry.open += row._count._all;
    if (row.state === 'firing') entry.firing += row._count._all;
    counts.set(row.ruleId, entry);
  }
  return counts;
}

function toRuleRecord({ channels, params, ...rule }: RuleRow, counts: Map<number, { open: number; firing: number }>): RuleRecord {
  const count = counts.get(rule.id) ?? { open: 0, firing: 0 };
  return { ...rule, params: (params ?? {}) as Record<string, unknown>, channelIds: channels.map((c) => c.channelId), openAlerts: count.open, firingAlerts: count.firing };
}

export async function listRules(store: Store): Promise<RuleRecord[]> {
  const rows = await store.prisma.alertRule.findMany({ include: ruleInclude, orderBy: { name: 'asc' } });
  const counts = await openCounts(store.prisma, rows.map((r) => r.id));
  return rows.map((row) => toRuleRecord(row, counts));
}

export async function getRuleOrThrow(store: Store, id: number): Promise<RuleRecord> {
  const row = await store.prisma.alertRule.findUnique({ where: { id }, include: ruleInclude });
  if (!row) throw new NotFoundError(`alert rule ${id} not found`);
  return toRuleRecord(row, await openCounts(store.prisma, [id]));
}

async function assertChannelsExist(db: PrismaDb, channelIds: number[]): Promise<void> {
  if (channelIds.length === 0) return;
  const found = await db.notificationChannel.findMany({ where: { id: { in: channelIds } }, select: { id: true } });
  const missing = channelIds.filter((id) => !found.some((channel) => channel.id === id));
  if (missing.length > 0) {
    throw new ValidationError(`invalid channelIds: no channel with id ${missing.join(', ')}`, [{ path: 'channelIds', message: `no channel with id ${missing.join(', ')}` }]);
  }
}

// An slo_burn rule must name an SLO that exists; the shared row lock makes a concurrent DELETE of
// that SLO wait for this write and then see the rule (409), so no rule is left dangling.
async function assertSloExists(db: PrismaDb, input: RuleWrite): Promise<void> {
  if (input.kind !== 'slo_burn') return;
  const found = await db.$queryRaw<Array<{ id: number }>>(sql`SELECT id FROM "Slo" WHERE id = ${input.params.sloId}::int FOR SHARE`);
  if (found.length === 0) throw new ValidationError(`invalid params.sloId: no SLO with id ${input.params.sloId}`, [{ path: 'params.sloId', message: `no SLO with id ${input.params.sloId}` }]);
}

function ruleData(input: RuleWrite) {
  return {
    name: input.name,
    kind: input.kind,
    enabled: input.enabled,
    clusterPattern: input.clusterPattern,
    namespacePattern: input.namespacePattern,
    namePattern: input.namePattern,
    excludePatterns: input.excludePatterns,
    params: input.params as Prisma.InputJsonObject,
    forSeconds: input.forSeconds,
    quietSeconds: input.quietSeconds,
    runbookUrl: input.runbookUrl,
    groupBy: input.groupBy,
    groupWaitSeconds: input.groupWaitSeconds,
    groupIntervalSeconds: input.groupIntervalSeconds,
    repeatIntervalSeconds: input.repeatIntervalSeconds,
  };
}

export async function createRule(store: Store, input: RuleWrite): Promise<RuleRecord> {
  try {
    const id = await store.prisma.$transaction(async (tx) => {
      await assertChannelsExist(tx, input.channelIds);
      await assertSloExists(tx, input);
      const rule = await tx.alertRule.create({ data: { ...ruleData(input), channels: { create: input.channelIds.map((channelId) => ({ channelId })) } } });
      return rule.id;
    });
    return await getRuleOrThrow(store, id);
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`an alert rule named "${input.name}" already exists`);
    throw error;
  }
}

export async function updateRule(store: Store, id: number, input: RuleWrite): Promise<RuleRecord> {
  try {
    await store.prisma.$transaction(async (tx) => {
      const existing = await tx.alertRule.findUnique({ where: { id }, select: { id: true } });
      if (!existing) throw new NotFoundError(`alert rule ${id} not found`);
      await assertChannelsExist(tx, input.channelIds);
      await assertSloExists(tx, input);
      await tx.alertRuleChannel.deleteMany({ where: { ruleId: id } });
      await tx.alertRule.update({ where: { id }, data: { ...ruleData(input), channels: { create: input.channelIds.map((channelId) => ({ channelId })) } } });
    });
    return await getRuleOrThrow(store, id);
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`an alert rule named "${input.name}" already exists`);
    throw error;
  }
}

// Deleting a rule deletes its alerts and their history with it (disable a rule to keep them).
export async function deleteRule(store: Store, id: number): Promise<void> {
  const { count } = await store.prisma.alertRule.deleteMany({ where: { id } });
  if (count === 0) throw new NotFoundError(`alert rule ${id} not found`);
}

// ---------- alerts ----------

export type AlertStateFilter = 'open' | 'resolved' | 'all';

export type AlertFilter = { state: AlertStateFilter; ruleId?: number; cluster?: string; range: TimeRange; limit: number };

export type DeliveryCounts = Record<DeliveryStatus, number>;

export type AlertRecord = {
  id: bigint;
  ruleId: number;
  ruleName: string;
  ruleKind: RuleKind;
  subjectKey: string;
  state: AlertState;
  value: number | null;
  summary: string;
  startedAt: Date;
  firingAt: Date | null;
  resolvedAt: Date | null;
  lastEvaluatedAt: Date;
  lastActiveAt: Date;
  silencedUntil: Date | null;
  silencedBy: number | null;
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  ackNote: string | null;
  conditionSince: Date | null;
  conditionEndedAt: Date | null;
  endedBy: string | null;
  deliveries: DeliveryCounts;
};

export type AlertEventRecord = { id: bigint; at: Date; fromState: AlertState | null; toState: AlertState; note: string | null };

export type NotificationRecord = {
  id: bigint;
  channelId: number;
  channelName: string;
  channelKind: ChannelKind;
  event: AlertState;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  lastAttemptAt: Date | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
};

export type AlertDetail = AlertRecord & { events: AlertEventRecord[]; notifications: NotificationRecord[] };

const alertInclude = { rule: { select: { name: true, kind: true } } } satisfies Prisma.AlertInclude;

type AlertRow = Prisma.AlertGetPayload<{ include: typeof alertInclude }>;

const noDeliveries = (): DeliveryCounts => ({ pending: 0, delivered: 0, failed: 0 });

function toAlertRecord({ rule, ...alert }: AlertRow, deliveries: DeliveryCounts): AlertRecord {
  return { ...alert, ruleName: rule.name, ruleKind: rule.kind, deliveries };
}

async function deliveryCounts(store: Store, alertIds: bigint[]): Promise<Map<bigint, DeliveryCounts>> {
  const counts = new Map<bigint, DeliveryCounts>();
  if (alertIds.length === 0) return counts;
  const rows = await store.prisma.notification.groupBy({ by: ['alertId', 'status'], where: { alertId: { in: alertIds } }, _count: { _all: true } });
  for (const row of rows) {
    const entry = counts.get(row.alertId) ?? noDeliveries();
    entry[row.status] = row._count._all;
    counts.set(row.alertId, entry);
  }
  return counts;
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

// Open alerts are all of them, whatever the range; history is every alert that overlaps it.
export async function listAlerts(store: Store, filter: AlertFilter): Promise<{ alerts: AlertRecord[]; hasMore: boolean }> {
  const where: Prisma.AlertWhereInput = { ruleId: filter.ruleId };
  if (filter.state === 'open') where.state = { in: ['pending', 'firing'] };
  else {
    if (filter.state === 'resolved') where.state = 'resolved';
    where.startedAt = { lt: filter.range.to };
    where.AND = [{ OR: [{ resolvedAt: null }, { resolvedAt: { gte: filter.range.from } }] }];
  }
  if (filter.cluster !== undefined) {
    const clusterMatch: Prisma.AlertWhereInput = { OR: [{ subjectKey: filter.cluster }, { subjectKey: { startsWith: `${escapeLike(filter.cluster)}/` } }] };
    where.AND = [...((where.AND as Prisma.AlertWhereInput[] | undefined) ?? []), clusterMatch];
  }
  const rows = await store.prisma.alert.findMany({
    where,
    include: alertInclude,
    orderBy: filter.state === 'open' ? [{ state: 'asc' }, { startedAt: 'desc' }, { id: 'desc' }] : [{ startedAt: 'desc' }, { id: 'desc' }],
    take: filter.limit + 1,
  });
  const page = rows.slice(0, filter.limit);
  const counts = await deliveryCounts(store, page.map((row) => row.id));
  return { alerts: page.map((row) => toAlertRecord(row, counts.get(row.id) ?? noDeliveries())), hasMore: rows.length > filter.limit };
}

export async function getAlertOrThrow(store: Store, id: bigint): Promise<AlertDetail> {
  const row = await store.prisma.alert.findUnique({
    where: { id },
    include: {
      ...alertInclude,
      events: { orderBy: [{ at: 'asc' }, { id: 'asc' }], select: { id: true, at: true, fromState: true, toState: true, note: true } },
      notifications: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], include: { channel: { select: { name: true, kind: true } } } },
    },
  });
  if (!row) throw new NotFoundError(`alert ${id} not found`);
  const { events, notifications, ...alert } = row;
  const counts = noDeliveries();
  for (const notification of notifications) counts[notification.status] += 1;
  return {
    ...toAlertRecord(alert, counts),
    events,
    notifications: notifications.map(({ channel, alertId: _alertId, ...notification }) => ({ ...notification, channelName: channel.name, channelKind: channel.kind })),
  };
}

export type AcknowledgeInput = { id: bigint; by: string; note: string; now: Date };

export async function acknowledgeAlert(store: Store, input: AcknowledgeInput): Promise<AlertDetail> {
  await store.prisma.$transaction(async (tx) => {
    const alert = await tx.alert.findUnique({ where: { id: input.id }, select: { state: true } });
    if (!alert) throw new NotFoundError(`alert ${input.id} not found`);
    if (alert.state === 'resolved') throw new ConflictError(`alert ${input.id} is resolved; there is nothing left to acknowledge`);
    await tx.alert.update({ where: { id: input.id }, data: { acknowledgedAt: input.now, acknowledgedBy: input.by, ackNote: input.note } });
    await tx.alertEvent.create({ data: { alertId: input.id, at: input.now, fromState: alert.state, toState: alert.state, note: `acknowledged by ${input.by}: ${input.note}` } });
  });
  return getAlertOrThrow(store, input.id);
}

export type SilenceInput = { id: bigint; until: Date | null; by: string; note: string | null; now: Date };

// A silence also covers the next alerts of the same rule and subject until it runs out, so silencing
// a flapping lease holds even when its alert resolves and fires again.
export async function silenceAlert(store: Store, input: SilenceInput): Promise<AlertDetail> {
  if (input.until !== null && input.until.getTime() <= input.now.getTime()) {
    throw new ValidationError(`invalid until: must be in the future (it is ${input.until.toISOString()}, now is ${input.now.toISOString()})`, [{ path: 'until', message: 'must be in the future' }]);
  }
  await withAlertLock(store, async (db) => {
    const alert = await queryRow<{ state: AlertState; ruleId: number; subjectKey: string }>(db, sql`SELECT state, "ruleId", "subjectKey" FROM "Alert" WHERE id = ${input.id}::bigint`);
    if (!alert) throw new NotFoundError(`alert ${input.id} not found`);
    const note = input.until ? `silenced until ${input.until.toISOString()} by ${input.by}${input.note ? `: ${input.note}` : ''}` : `silence lifted by ${input.by}${input.note ? `: ${input.note}` : ''}`;
    if (input.until === null) {
      await execute(db, sql`UPDATE "Alert" SET "silencedUntil" = NULL WHERE "ruleId" = ${alert.ruleId}::int AND "subjectKey" = ${alert.subjectKey} AND "silencedUntil" > ${input.now}::timestamptz`);
    } else {
      await execute(db, sql`UPDATE "Alert" SET "silencedUntil" = ${input.until}::timestamptz WHERE id = ${input.id}::bigint`);
    }
    await insertAlertEvents(db, [{ alertId: input.id, at: input.now, fromState: alert.state, toState: alert.state, note }]);
  });
  return getAlertOrThrow(store, input.id);
}

// ---------- what the engine reads and writes, inside withAlertLock ----------

// timing: when a queued notification may be sent, by whether its group was notified before (grouping.ts).
export type EngineRule = { spec: AlertRuleSpec; channelIds: number[]; groupBy: string[]; timing: GroupTiming };

export type InvalidRule = { id: number; name: string; error: string };

type EngineRuleRow = Pick<
  AlertRule,
  'id' | 'name' | 'kind' | 'enabled' | 'clusterPattern' | 'namespacePattern' | 'namePattern' | 'excludePatterns' | 'params' | 'forSeconds' | 'quietSeconds' | 'groupBy' | 'groupWaitSeconds' | 'groupIntervalSeconds' | 'repeatIntervalSeconds'
> & { channelIds: number[] };

export async function loadEngineRules(db: Db, kinds: readonly RuleKind[]): Promise<{ rules: EngineRule[]; invalid: InvalidRule[] }> {
  const rows = await queryRows<EngineRuleRow>(
    db,
    sql`
    SELECT r.id, r.name, r.kind, r.enabled, r."clusterPattern", r."namespacePattern", r."namePattern", r."excludePatterns", r.params, r."forSeconds", r."quietSeconds",
           r."groupBy", r."groupWaitSeconds", r."groupIntervalSeconds", r."repeatIntervalSeconds",
           array(SELECT rc."channelId" FROM "AlertRuleChannel" rc JOIN "NotificationChannel" c ON c.id = rc."channelId"
                  WHERE rc."ruleId" = r.id AND c.enabled ORDER BY rc."channelId") AS "channelIds"
      FROM "AlertRule" r
     WHERE r.kind::text = ANY(${[...kinds]}::text[])
     ORDER BY r.id`,
  );
  const rules: EngineRule[] = [];
  const invalid: InvalidRule[] = [];
  for (const row of rows) {
    try {
      const definition = parseRuleDefinition(row.kind, row.params);
      const spec = {
        ...definition,
        id: row.id,
        name: row.name,
        enabled: row.enabled,
        clusterPattern: row.clusterPattern,
        namespacePattern: row.namespacePattern,
        namePattern: row.namePattern,
        excludePatterns: row.excludePatterns,
        forSeconds: row.forSeconds,
        quietSeconds: row.quietSeconds,
      } as AlertRuleSpec;
      rules.push({
        spec,
        channelIds: row.channelIds,
        groupBy: row.groupBy,
        timing: { groupWaitMs: row.groupWaitSeconds * 1_000, groupIntervalMs: row.groupIntervalSeconds * 1_000, repeatIntervalMs: row.repeatIntervalSeconds * 1_000 },
      });
    } catch (error) {
      invalid.push({ id: row.id, name: row.name, error: (error as Error).message });
    }
  }
  return { rules, invalid };
}

const toMs = (date: Date | null) => (date === null ? null : date.getTime());
const toDate = (ms: number | null) => (ms === null ? null : new Date(ms));

export async function loadOpenAlerts(db: Db, ruleIds: number[]): Promise<Map<number, OpenAlert[]>> {
  const rows = await queryRows<Alert>(db, sql`SELECT * FROM "Alert" WHERE "ruleId" = ANY(${ruleIds}::int[]) AND state IN ('pending', 'firing') ORDER BY id`);
  const byRule = new Map<number, OpenAlert[]>();
  for (const row of rows) {
    const snapshot: AlertSnapshot = {
      state: row.state,
      startedAt: row.startedAt.getTime(),
      firingAt: toMs(row.firingAt),
      resolvedAt: toMs(row.resolvedAt),
      lastActiveAt: row.lastActiveAt.getTime(),
      value: row.value,
      summary: row.summary,
      silencedUntil: toMs(row.silencedUntil),
      conditionSince: (row.conditionSince ?? row.startedAt).getTime(),
      conditionEndedAt: toMs(row.conditionEndedAt),
      endedBy: row.endedBy,
    };
    const list = byRule.get(row.ruleId) ?? [];
    list.push({ id: row.id.toString(), subjectKey: row.subjectKey, snapshot, silencedBy: row.silencedBy });
    byRule.set(row.ruleId, list);
  }
  return byRule;
}

export async function loadCarriedSilences(db: Db, ruleIds: number[], now: Date): Promise<Map<number, Map<string, number>>> {
  const rows = await queryRows<{ ruleId: number; subjectKey: string; silencedUntil: Date }>(
    db,
    sql`SELECT "ruleId", "subjectKey", "silencedUntil" FROM "Alert" WHERE "ruleId" = ANY(${ruleIds}::int[]) AND "silencedUntil" > ${now}::timestamptz`,
  );
  const byRule = new Map<number, Map<string, number>>();
  for (const row of rows) {
    const subjects = byRule.get(row.ruleId) ?? new Map<string, number>();
    subjects.set(row.subjectKey, Math.max(subjects.get(row.subjectKey) ?? 0, row.silencedUntil.getTime()));
    byRule.set(row.ruleId, subjects);
  }
  return byRule;
}

function isSnapshotChanged(before: AlertSnapshot | undefined, after: AlertSnapshot): boolean {
  return (
    !before ||
    before.state !== after.state ||
    before.value !== after.value ||
    before.summary !== after.summary ||
    before.lastActiveAt !== after.lastActiveAt ||
    before.conditionEndedAt !== after.conditionEndedAt ||
    before.endedBy !== after.endedBy
  );
}

// Persists one rule's outcomes; returns how many notifications were queued. Notification rows are
// unique per (alert, channel, event), so making sure a firing alert has its row on every evaluation
// is idempotent: after a restart nothing is queued twice.
// silencedBefore: the matcher silence each open alert carried, so becoming silenced is stored and noted.
export async function applyOutcomes(
  db: Db,
  rule: EngineRule,
  outcomes: readonly AlertOutcome[],
  openBefore: ReadonlyMap<string, AlertSnapshot>,
  now: Date,
  silencedBefore: ReadonlyMap<string, number | null> = new Map(),
): Promise<number> {
  let queued = 0;
  const touched: bigint[] = [];
  const groups = await queryRows<{ channelId: number; groupKey: string; lastSentAt: Date }>(db, sql`SELECT "channelId", "groupKey", "lastSentAt" FROM "NotificationGroup" WHERE "ruleId" = ${rule.spec.id}::int`);
  const lastSent = new Map(groups.map((group) => [`${group.channelId} ${group.groupKey}`, group.lastSentAt.getTime()]));
  const sendAtOf = (channelId: number, subjectKey: string) =>
    new Date(groupSendAt(lastSent.get(`${channelId} ${groupKeyOf(rule.spec.id, subjectKey, rule.spec.kind, rule.groupBy)}`) ?? null, rule.timing, now.getTime()));
  const queue = async (alertId: bigint, event: 'firing' | 'resolved', channelIds: number[], subjectKey: string) => {
    const times = channelIds.map((channelId) => sendAtOf(channelId, subjectKey));
    return execute(
      db,
      sql`INSERT INTO "Notification" ("alertId", "channelId", event, "nextAttemptAt")
          SELECT ${alertId}::bigint, c, ${event}::"AlertState", t FROM unnest(${channelIds}::int[], ${times}::timestamptz[]) AS x(c, t)
          ON CONFLICT DO NOTHING`,
    );
  };
  for (const outcome of outcomes) {
    const { snapshot } = outcome;
    let alertId: bigint;
    const events = outcome.changes.map((change) => ({ at: new Date(change.at), fromState: change.from, toState: change.to, note: change.note }));
    if (outcome.alertId === null) {
      const created = await queryRow<{ id: bigint }>(
        db,
        sql`
        INSERT INTO "Alert" ("ruleId", "subjectKey", state, value, summary, "startedAt", "firingAt", "resolvedAt", "lastEvaluatedAt", "lastActiveAt",
                             "silencedUntil", "silencedBy", "conditionSince", "conditionEndedAt", "endedBy")
        VALUES (${rule.spec.id}::int, ${outcome.subjectKey}, ${snapshot.state}::"AlertState", ${snapshot.value}::float8, ${snapshot.summary},
                ${new Date(snapshot.startedAt)}::timestamptz, ${toDate(snapshot.firingAt)}::timestamptz, ${toDate(snapshot.resolvedAt)}::timestamptz, ${now}::timestamptz,
                ${new Date(snapshot.lastActiveAt)}::timestamptz, ${toDate(snapshot.silencedUntil)}::timestamptz, ${outcome.silencedBy}::int,
                ${new Date(snapshot.conditionSince)}::timestamptz, ${toDate(snapshot.conditionEndedAt)}::timestamptz, ${snapshot.endedBy}::text)
        RETURNING id`,
      );
      alertId = created!.id;
      await insertAlertEvents(db, events.map((event) => ({ ...event, alertId })));
    } else {
      alertId = BigInt(outcome.alertId);
      const isSilenceChanged = (silencedBefore.get(outcome.alertId) ?? null) !== outcome.silencedBy;
      if (isSilenceChanged && outcome.silencedBy !== null && events.length === 0) {
        events.push({ at: now, fromState: snapshot.state, toState: snapshot.state, note: `silenced by silence #${outcome.silencedBy}` });
      }
      if (isSilenceChanged || isSnapshotChanged(openBefore.get(outcome.alertId), snapshot)) {
        const updated = await execute(
          db,
          sql`
          UPDATE "Alert" SET state = ${snapshot.state}::"AlertState", value = ${snapshot.value}::float8, summary = ${snapshot.summary},
                 "firingAt" = ${toDate(snapshot.firingAt)}::timestamptz, "resolvedAt" = ${toDate(snapshot.resolvedAt)}::timestamptz,
                 "lastActiveAt" = ${new Date(snapshot.lastActiveAt)}::timestamptz, "conditionEndedAt" = ${toDate(snapshot.conditionEndedAt)}::timestamptz,
                 "endedBy" = ${snapshot.endedBy}::text, "silencedBy" = ${outcome.silencedBy}::int, "lastEvaluatedAt" = ${now}::timestamptz
           WHERE id = ${alertId}::bigint`,
        );
        if (updated === 0) throw new NotFoundError(`alert ${alertId} not found`);
        await insertAlertEvents(db, events.map((event) => ({ ...event, alertId })));
      } else {
        touched.push(alertId);
      }
    }
    if (outcome.notify === 'firing' && rule.channelIds.length > 0) queued += await queue(alertId, 'firing', rule.channelIds, outcome.subjectKey);
    if (outcome.notify === 'resolved') {
      const notified = await queryRows<{ channelId: number }>(db, sql`SELECT "channelId" FROM "Notification" WHERE "alertId" = ${alertId}::bigint AND event = 'firing' ORDER BY "channelId"`);
      if (notified.length > 0) queued += await queue(alertId, 'resolved', notified.map((row) => row.channelId), outcome.subjectKey);
    }
  }
  if (touched.length > 0) await execute(db, sql`UPDATE "Alert" SET "lastEvaluatedAt" = ${now}::timestamptz WHERE id = ANY(${touched}::bigint[])`);
  return queued;
}

type AlertEventWrite = { alertId: bigint; at: Date; fromState: AlertState | null; toState: AlertState; note: string | null };

async function insertAlertEvents(db: Db, events: readonly AlertEventWrite[]): Promise<void> {
  if (events.length === 0) return;
  await execute(
    db,
    sql`INSERT INTO "AlertEvent" ("alertId", at, "fromState", "toState", note)
        SELECT * FROM unnest(${events.map((e) => e.alertId)}::bigint[], ${events.map((e) => e.at)}::timestamptz[], ${events.map((e) => e.fromState)}::"AlertState"[],
                             ${events.map((e) => e.toState)}::"AlertState"[], ${events.map((e) => e.note)}::text[])`,
  );
}
