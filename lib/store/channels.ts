import { mergeChannelConfig, parseChannelDefinition, secretFields, type ChannelDefinition, type ChannelKind } from '../alerts/channel-config';
import { groupKeyOf, MAX_GROUP_MEMBERS } from '../alerts/grouping';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import { openChannelConfig, sealChannelConfig } from './channel-secrets';
import type { Store } from './client';
import type { Alert, AlertRule, NotificationChannel, Prisma } from './generated/prisma/client';
import type { AlertState, DeliveryStatus } from './generated/prisma/enums';
import { execute, inTransaction, isUniqueViolation, queryRows, type PgStore, type Queryable } from './pg-store';
import { sql } from './sql';

export type LastFailure = { notificationId: bigint; alertId: bigint; event: AlertState; status: DeliveryStatus; error: string; at: Date | null; attempts: number };

export type ChannelDeliveries = { pending: number; retrying: number; delivered: number; failed: number; lastFailure: LastFailure | null };

export type ChannelRecord = Omit<NotificationChannel, 'config'> & { definition: ChannelDefinition | null; configError: string | null; ruleIds: number[]; deliveries: ChannelDeliveries };

export type ChannelWrite = { name: string; enabled: boolean; definition: ChannelDefinition };

function readDefinition(kind: ChannelKind, config: unknown): { definition: ChannelDefinition | null; configError: string | null } {
  try {
    return { definition: parseChannelDefinition(kind, openChannelConfig(kind, config)), configError: null };
  } catch (error) {
    return { definition: null, configError: (error as Error).message };
  }
}

// Retrying: still pending, but an attempt already failed. Failed: gave up (or refused).
async function deliveriesFor(store: Store, channelIds: number[]): Promise<Map<number, ChannelDeliveries>> {
  const result = new Map<number, ChannelDeliveries>(channelIds.map((id) => [id, { pending: 0, retrying: 0, delivered: 0, failed: 0, lastFailure: null }]));
  if (channelIds.length === 0) return result;
  const counts = await store.prisma.$queryRaw<Array<{ channelId: number; pending: number; retrying: number; delivered: number; failed: number }>>(sql`
    SELECT "channelId",
           count(*) FILTER (WHERE status = 'pending' AND "lastError" IS NULL)::int AS pending,
           count(*) FILTER (WHERE status = 'pending' AND "lastError" IS NOT NULL)::int AS retrying,
           count(*) FILTER (WHERE status = 'delivered')::int AS delivered,
           count(*) FILTER (WHERE status = 'failed')::int AS failed
      FROM "Notification" WHERE "channelId" = ANY(${channelIds}::int[]) GROUP BY "channelId"`);
  const failures = await store.prisma.$queryRaw<Array<{ channelId: number; id: bigint; alertId: bigint; event: AlertState; status: DeliveryStatus; lastError: string; lastAttemptAt: Date | null; attempts: number }>>(sql`
    SELECT DISTINCT ON ("channelId") "channelId", id, "alertId", event, status, "lastError", "lastAttemptAt", attempts
      FROM "Notification"
     WHERE "channelId" = ANY(${channelIds}::int[]) AND "lastError" IS NOT NULL AND status <> 'delivered'
     ORDER BY "channelId", "lastAttemptAt" DESC NULLS LAST, id DESC`);
  for (const row of counts) {
    const entry = result.get(row.channelId)!;
    Object.assign(entry, { pending: row.pending, retrying: row.retrying, delivered: row.delivered, failed: row.failed });
  }
  for (const row of failures) {
    result.get(row.channelId)!.lastFailure = { notificationId: row.id, alertId: row.alertId, event: row.event, status: row.status, error: row.lastError, at: row.lastAttemptAt, attempts: row.attempts };
  }
  return result;
}

const channelInclude = { rules: { select: { ruleId: true }, orderBy: { ruleId: 'asc' } } } satisfies Prisma.NotificationChannelInclude;

type ChannelRow = Prisma.NotificationChannelGetPayload<{ include: typeof channelInclude }>;

function toChannelRecord({ rules, config, ...channel }: ChannelRow, deliveries: Map<number, ChannelDeliveries>): ChannelRecord {
  return {
    ...channel,
    ...readDefinition(channel.kind, config),
    ruleIds: rules.map((rule) => rule.ruleId),
    deliveries: deliveries.get(channel.id) ?? { pending: 0, retrying: 0, delivered: 0, failed: 0, lastFailure: null },
  };
}

export async function listChannels(store: Store): Promise<ChannelRecord[]> {
  const rows = await store.prisma.notificationChannel.findMany({ include: channelInclude, orderBy: { name: 'asc' } });
  const deliveries = await deliveriesFor(store, rows.map((row) => row.id));
  return rows.map((row) => toChannelRecord(row, deliveries));
}

export async function getChannelOrThrow(store: Store, id: number): Promise<ChannelRecord> {
  const row = await store.prisma.notificationChannel.findUnique({ where: { id }, include: channelInclude });
  if (!row) throw new NotFoundError(`notification channel ${id} not found`);
  return toChannelRecord(row, await deliveriesFor(store, [id]));
}

export async function createChannel(store: Store, input: ChannelWrite): Promise<ChannelRecord> {
  try {
    const row = await store.prisma.notificationChannel.create({
      data: { name: input.name, kind: input.definition.kind, enabled: input.enabled, config: sealChannelConfig(input.definition.kind, input.definition.config) as Prisma.InputJsonObject },
    });
    return await getChannelOrThrow(store, row.id);
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`a notification channel named "${input.name}" already exists`);
    throw error;
  }
}

export type ChannelUpdate = { name?: string; enabled?: boolean; kind?: ChannelKind; config?: Record<string, unknown> };

// Credentials left out of an update keep their stored values; the merged configuration is validated whole.
export async function resolveChannelUpdate(store: Store, id: number, update: ChannelUpdate): Promise<ChannelWrite> {
  const row = await store.prisma.notificationChannel.findUnique({ where: { id } });
  if (!row) throw new NotFoundError(`notification channel ${id} not found`);
  if (update.kind !== undefined && update.kind !== row.kind) {
    throw new ValidationError(`invalid kind: a ${row.kind} channel cannot become a ${update.kind} channel; create a new channel instead`, [{ path: 'kind', message: 'cannot change' }]);
  }
  const stored = openChannelConfig(row.kind, row.config) as Record<string, unknown>;
  const config = update.config ? mergeChannelConfig(row.kind, stored, update.config) : stored;
  const droppedSecret = secretFields[row.kind].find((field) => field !== 'url' && stored[field] !== undefined && config[field] === undefined);
  if (droppedSecret && row.kind === 'webhook') {
    throw new ValidationError(`invalid config.${droppedSecret}: the URL moves to another origin, so the stored ${droppedSecret} is dropped; give a new one in the same request`, [{ path: `config.${droppedSecret}`, message: 'required when the target origin changes' }]);
  }
  const definition = parseChannelDefinition(row.kind, config);
  return { name: update.name ?? row.name, enabled: update.enabled ?? row.enabled, definition };
}

export async function updateChannel(store: Store, id: number, input: ChannelWrite): Promise<ChannelRecord> {
  try {
    const { count } = await store.prisma.notificationChannel.updateMany({
      where: { id },
      data: { name: input.name, enabled: input.enabled, config: sealChannelConfig(input.definition.kind, input.definition.config) as Prisma.InputJsonObject },
    });
    if (count === 0) throw new NotFoundError(`notification channel ${id} not found`);
    return await getChannelOrThrow(store, id);
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`a notification channel named "${input.name}" already exists`);
    throw error;
  }
}

export async function deleteChannel(store: Store, id: number): Promise<void> {
  const { count } = await store.prisma.notificationChannel.deleteMany({ where: { id } });
  if (count === 0) throw new NotFoundError(`notification channel ${id} not found`);
}

// ---------- the delivery queue ----------

export type NotifiedAlert = Alert & { rule: AlertRule };

export type NotificationChannelRef = { id: number; name: string; kind: ChannelKind; enabled: boolean; config: unknown };

// `channel.config` is as stored (credentials sealed): the sender opens it, so one channel whose
// secret cannot be decrypted fails on its own instead of the whole claim.
export type ClaimedNotification = {
  id: bigint;
  event: 'firing' | 'resolved';
  attempts: number;
  channel: NotificationChannelRef;
  alert: NotifiedAlert;
  // Other due notifications of the same channel, event, rule and group key, claimed with this one
  // and sent in the same message; each is recorded with the same outcome.
  members: Array<{ id: bigint; alert: NotifiedAlert }>;
};

export type ClaimInput = { now: Date; claimUntil: Date; limit: number; busyChannelIds: number[] };

// Alerts by id, each with its rule: what a message is built from.
export async function loadNotifiedAlerts(db: Queryable, alertIds: readonly bigint[]): Promise<Map<bigint, NotifiedAlert>> {
  if (alertIds.length === 0) return new Map();
  const alerts = await queryRows<Alert>(db, sql`SELECT * FROM "Alert" WHERE id = ANY(${[...new Set(alertIds)]}::bigint[])`);
  const rules = await queryRows<AlertRule>(db, sql`SELECT * FROM "AlertRule" WHERE id = ANY(${[...new Set(alerts.map((alert) => alert.ruleId))]}::int[])`);
  const ruleById = new Map(rules.map((rule) => [rule.id, rule]));
  return new Map(alerts.map((alert) => [alert.id, { ...alert, rule: ruleById.get(alert.ruleId)! }]));
}

async function loadChannelRefs(db: Queryable, channelIds: readonly number[]): Promise<Map<number, NotificationChannelRef>> {
  if (channelIds.length === 0) return new Map();
  const rows = await queryRows<NotificationChannelRef>(db, sql`SELECT id, name, kind, enabled, config FROM "NotificationChannel" WHERE id = ANY(${[...new Set(channelIds)]}::int[])`);
  return new Map(rows.map((row) => [row.id, row]));
}

type NotificationRow = { id: bigint; alertId: bigint; channelId: number; event: AlertState; attempts: number };

// Takes due notifications, at most one per channel, so each channel is delivered to in order and one
// slow receiver holds one slot only. A claim is a lease: nextAttemptAt moves past the send timeout,
// so if this process dies mid-send another picks the row up later. A recovery waits for its firing
// notification to be settled first.
export async function claimNotifications(store: PgStore, input: ClaimInput): Promise<ClaimedNotification[]> {
  const claimed = await queryRows<{ id: bigint }>(
    store.pool,
    sql`
    WITH candidates AS (
      SELECT n.id, n."channelId" FROM "Notification" n
       WHERE n.status = 'pending'
         AND (n."nextAttemptAt" IS NULL OR n."nextAttemptAt" <= ${input.now}::timestamptz)
         AND NOT (n."channelId" = ANY(${input.busyChannelIds}::int[]))
         AND NOT (n.event = 'resolved' AND EXISTS (
               SELECT 1 FROM "Notification" f
                WHERE f."alertId" = n."alertId" AND f."channelId" = n."channelId" AND f.event = 'firing' AND f.status = 'pending'))
       ORDER BY n.id
       LIMIT ${input.limit * 20}::int
       FOR UPDATE SKIP LOCKED
    ), picked AS (
      SELECT DISTINCT ON ("channelId") id FROM candidates ORDER BY "channelId", id
    )
    UPDATE "Notification" n
       SET attempts = n.attempts + 1, "lastAttemptAt" = ${input.now}::timestamptz, "nextAttemptAt" = ${input.claimUntil}::timestamptz
      FROM (SELECT id FROM picked ORDER BY id LIMIT ${input.limit}::int) p
     WHERE n.id = p.id
    RETURNING n.id`,
  );
  if (claimed.length === 0) return [];
  const rows = await queryRows<NotificationRow>(
    store.pool,
    sql`SELECT id, "alertId", "channelId", event, attempts FROM "Notification" WHERE id = ANY(${claimed.map((row) => row.id)}::bigint[]) ORDER BY id`,
  );
  const channels = await loadChannelRefs(store.pool, rows.map((row) => row.channelId));
  const alerts = await loadNotifiedAlerts(store.pool, rows.map((row) => row.alertId));
  const claimedNotifications: ClaimedNotification[] = [];
  for (const row of rows) {
    const alert = alerts.get(row.alertId)!;
    claimedNotifications.push({
      id: row.id,
      event: row.event === 'resolved' ? 'resolved' : 'firing',
      attempts: row.attempts,
      channel: channels.get(row.channelId)!,
      alert,
      members: await claimGroupMembers(store, { id: row.id, channelId: row.channelId, event: row.event, alert }, input),
    });
  }
  return claimedNotifications;
}

type GroupLeader = { id: bigint; channelId: number; event: AlertState; alert: { subjectKey: string; rule: Pick<AlertRule, 'id' | 'kind' | 'groupBy'> } };

// The rest of the leader's group: pending, same channel and event, same rule, same group key; due, or
// never tried yet. Alertmanager's group_wait runs from the group's FIRST alert: a member queued 3 s
// after the leader (its own send time 3 s later) joins the leader's message instead of waiting for its own.
async function claimGroupMembers(store: PgStore, leader: GroupLeader, input: ClaimInput): Promise<ClaimedNotification['members']> {
  const { rule } = leader.alert;
  const leaderKey = groupKeyOf(rule.id, leader.alert.subjectKey, rule.kind, rule.groupBy);
  const picked = await inTransaction(store.pool, async (tx) => {
    const candidates = await queryRows<{ id: bigint; alertId: bigint; subjectKey: string }>(
      tx,
      sql`
      SELECT n.id, n."alertId", a."subjectKey" FROM "Notification" n
        JOIN "Alert" a ON a.id = n."alertId"
       WHERE n."channelId" = ${leader.channelId}::int AND n.event = ${leader.event}::"AlertState" AND a."ruleId" = ${rule.id}::int
         AND n.status = 'pending' AND n.id <> ${leader.id}::bigint
         AND (n.attempts = 0 OR n."nextAttemptAt" IS NULL OR n."nextAttemptAt" <= ${input.now}::timestamptz)
         AND NOT (n.event = 'resolved' AND EXISTS (
               SELECT 1 FROM "Notification" f
                WHERE f."alertId" = n."alertId" AND f."channelId" = n."channelId" AND f.event = 'firing' AND f.status = 'pending'))
       ORDER BY n.id
       LIMIT ${MAX_GROUP_MEMBERS * 20}::int
         FOR UPDATE OF n SKIP LOCKED`,
    );
    const members = candidates.filter((candidate) => groupKeyOf(rule.id, candidate.subjectKey, rule.kind, rule.groupBy) === leaderKey).slice(0, MAX_GROUP_MEMBERS - 1);
    if (members.length > 0) {
      await execute(
        tx,
        sql`UPDATE "Notification" SET attempts = attempts + 1, "lastAttemptAt" = ${input.now}::timestamptz, "nextAttemptAt" = ${input.claimUntil}::timestamptz
             WHERE id = ANY(${members.map((member) => member.id)}::bigint[])`,
      );
    }
    return members;
  });
  if (picked.length === 0) return [];
  const alerts = await loadNotifiedAlerts(store.pool, picked.map((member) => member.alertId));
  return picked.map((member) => ({ id: member.id, alert: alerts.get(member.alertId)! }));
}

export type DeliveryResult = { status: 'delivered' } | { status: 'pending'; error: string; nextAttemptAt: Date } | { status: 'failed'; error: string };

export async function recordDelivery(store: PgStore, id: bigint, result: DeliveryResult, now: Date): Promise<void> {
  const error = result.status === 'delivered' ? null : result.error.slice(0, 2_000);
  const nextAttemptAt = result.status === 'pending' ? result.nextAttemptAt : null;
  const deliveredAt = result.status === 'delivered' ? now : null;
  const updated = await execute(
    store.pool,
    sql`UPDATE "Notification" SET status = ${result.status}::"DeliveryStatus", "lastError" = ${error}::text, "nextAttemptAt" = ${nextAttemptAt}::timestamptz,
               "deliveredAt" = coalesce(${deliveredAt}::timestamptz, "deliveredAt")
         WHERE id = ${id}::bigint`,
  );
  if (updated === 0) throw new NotFoundError(`notification ${id} not found`);
}

export type FiringDelivery = { notificationId: bigint; channel: NotificationChannelRef; alert: NotifiedAlert };

// Firing alerts Alertmanager has been told about, to tell it again before their endsAt passes.
export async function listDeliveredFiring(store: PgStore, kind: ChannelKind): Promise<FiringDelivery[]> {
  const rows = await queryRows<NotificationRow>(
    store.pool,
    sql`
    SELECT n.id, n."alertId", n."channelId", n.event, n.attempts FROM "Notification" n
      JOIN "NotificationChannel" c ON c.id = n."channelId"
      JOIN "Alert" a ON a.id = n."alertId"
     WHERE n.event = 'firing' AND n.status = 'delivered' AND c.kind = ${kind}::"ChannelKind" AND c.enabled AND a.state = 'firing'
     ORDER BY n.id`,
  );
  const channels = await loadChannelRefs(store.pool, rows.map((row) => row.channelId));
  const alerts = await loadNotifiedAlerts(store.pool, rows.map((row) => row.alertId));
  return rows.map((row) => ({ notificationId: row.id, channel: channels.get(row.channelId)!, alert: alerts.get(row.alertId)! }));
}
