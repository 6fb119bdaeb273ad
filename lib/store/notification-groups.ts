import { groupKeyOf, groupRepeatAt } from '../alerts/grouping';
import { loadNotifiedAlerts, type ClaimedNotification, type NotificationChannelRef, type NotifiedAlert } from './channels';
import type { AlertRule } from './generated/prisma/client';
import { execute, queryRows, type PgStore } from './pg-store';
import { sql } from './sql';

// After a group's message went out on a channel: a firing message (re)starts its group_interval and
// repeat_interval; a resolved one that leaves the group with no open alert ends the group, so the next
// alert of that group is a new group (group_wait again), as in Alertmanager.
export async function recordGroupSent(store: PgStore, input: { channelId: number; event: 'firing' | 'resolved'; alert: ClaimedNotification['alert']; at: Date }): Promise<void> {
  const { rule } = input.alert;
  const groupKey = groupKeyOf(rule.id, input.alert.subjectKey, rule.kind, rule.groupBy);
  if (input.event === 'resolved') {
    const open = await queryRows<{ subjectKey: string }>(store.pool, sql`SELECT "subjectKey" FROM "Alert" WHERE "ruleId" = ${rule.id}::int AND state IN ('pending', 'firing')`);
    if (!open.some((alert) => groupKeyOf(rule.id, alert.subjectKey, rule.kind, rule.groupBy) === groupKey)) {
      await execute(store.pool, sql`DELETE FROM "NotificationGroup" WHERE "ruleId" = ${rule.id}::int AND "channelId" = ${input.channelId}::int AND "groupKey" = ${groupKey}`);
      return;
    }
  }
  await execute(
    store.pool,
    sql`INSERT INTO "NotificationGroup" ("ruleId", "channelId", "groupKey", "lastSentAt") VALUES (${rule.id}::int, ${input.channelId}::int, ${groupKey}, ${input.at}::timestamptz)
        ON CONFLICT ("ruleId", "channelId", "groupKey") DO UPDATE SET "lastSentAt" = EXCLUDED."lastSentAt"`,
  );
}

export type RepeatDueGroup = { groupId: number; channel: NotificationChannelRef; alerts: NotifiedAlert[] };

type GroupRow = Pick<AlertRule, 'kind' | 'groupBy' | 'groupIntervalSeconds' | 'repeatIntervalSeconds'> & {
  id: number;
  ruleId: number;
  groupKey: string;
  lastSentAt: Date;
  channel: NotificationChannelRef;
};

// Groups whose repeat_interval has passed since their last message, with the alerts of the group still
// firing that were notified on that channel. Alertmanager channels are left out: Alertmanager repeats itself.
export async function listRepeatDueGroups(store: PgStore, now: Date): Promise<RepeatDueGroup[]> {
  const groups = await queryRows<GroupRow>(
    store.pool,
    sql`
    SELECT g.id, g."ruleId", g."groupKey", g."lastSentAt", r.kind, r."groupBy", r."groupIntervalSeconds", r."repeatIntervalSeconds",
           json_build_object('id', c.id, 'name', c.name, 'kind', c.kind, 'enabled', c.enabled, 'config', c.config) AS channel
      FROM "NotificationGroup" g
      JOIN "AlertRule" r ON r.id = g."ruleId"
      JOIN "NotificationChannel" c ON c.id = g."channelId"
     WHERE r."repeatIntervalSeconds" > 0 AND r.enabled AND c.enabled AND c.kind <> 'alertmanager'
     ORDER BY g.id`,
  );
  const due = groups.filter((group) => {
    const at = groupRepeatAt(group.lastSentAt.getTime(), { groupWaitMs: 0, groupIntervalMs: group.groupIntervalSeconds * 1_000, repeatIntervalMs: group.repeatIntervalSeconds * 1_000 });
    return at !== null && at <= now.getTime();
  });
  const answer: RepeatDueGroup[] = [];
  for (const group of due) {
    const notified = await queryRows<{ alertId: bigint }>(
      store.pool,
      sql`
      SELECT n."alertId" FROM "Notification" n JOIN "Alert" a ON a.id = n."alertId"
       WHERE n."channelId" = ${group.channel.id}::int AND n.event = 'firing' AND n.status = 'delivered' AND a."ruleId" = ${group.ruleId}::int AND a.state = 'firing'
       ORDER BY n.id`,
    );
    const byId = await loadNotifiedAlerts(store.pool, notified.map((row) => row.alertId));
    const alerts = notified.map((row) => byId.get(row.alertId)!).filter((alert) => groupKeyOf(group.ruleId, alert.subjectKey, group.kind, group.groupBy) === group.groupKey);
    if (alerts.length === 0) continue;
    answer.push({ groupId: group.id, channel: group.channel, alerts });
  }
  return answer;
}

export async function markGroupRepeated(store: PgStore, groupId: number, at: Date): Promise<void> {
  await execute(store.pool, sql`UPDATE "NotificationGroup" SET "lastSentAt" = ${at}::timestamptz WHERE id = ${groupId}::int`);
}
