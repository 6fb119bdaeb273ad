import { groupKeyOf, groupRepeatAt } from '../alerts/grouping';
import type { Store } from './client';
import type { ClaimedNotification, FiringDelivery } from './channels';

type NotifiedAlert = ClaimedNotification['alert'];

// After a group's message went out on a channel: a firing message (re)starts its group_interval and
// repeat_interval; a resolved one that leaves the group with no open alert ends the group, so the next
// alert of that group is a new group (group_wait again), as in Alertmanager.
export async function recordGroupSent(store: Store, input: { channelId: number; event: 'firing' | 'resolved'; alert: NotifiedAlert; at: Date }): Promise<void> {
  const { rule } = input.alert;
  const groupKey = groupKeyOf(rule.id, input.alert.subjectKey, rule.kind, rule.groupBy);
  const where = { ruleId_channelId_groupKey: { ruleId: rule.id, channelId: input.channelId, groupKey } };
  if (input.event === 'resolved') {
    const open = await store.prisma.alert.findMany({ where: { ruleId: rule.id, state: { in: ['pending', 'firing'] } }, select: { subjectKey: true } });
    if (!open.some((alert) => groupKeyOf(rule.id, alert.subjectKey, rule.kind, rule.groupBy) === groupKey)) {
      await store.prisma.notificationGroup.deleteMany({ where: { ruleId: rule.id, channelId: input.channelId, groupKey } });
      return;
    }
  }
  await store.prisma.notificationGroup.upsert({ where, create: { ruleId: rule.id, channelId: input.channelId, groupKey, lastSentAt: input.at }, update: { lastSentAt: input.at } });
}

export type RepeatDueGroup = { groupId: number; channel: FiringDelivery['channel']; alerts: NotifiedAlert[] };

// Groups whose repeat_interval has passed since their last message, with the alerts of the group still
// firing that were notified on that channel. Alertmanager channels are left out: Alertmanager repeats itself.
export async function listRepeatDueGroups(store: Store, now: Date): Promise<RepeatDueGroup[]> {
  const groups = await store.prisma.notificationGroup.findMany({
    where: { rule: { repeatIntervalSeconds: { gt: 0 }, enabled: true }, channel: { enabled: true, kind: { not: 'alertmanager' } } },
    include: { rule: true, channel: true },
    orderBy: { id: 'asc' },
  });
  const due = groups.filter((group) => {
    const at = groupRepeatAt(group.lastSentAt.getTime(), { groupWaitMs: 0, groupIntervalMs: group.rule.groupIntervalSeconds * 1_000, repeatIntervalMs: group.rule.repeatIntervalSeconds * 1_000 });
    return at !== null && at <= now.getTime();
  });
  const answer: RepeatDueGroup[] = [];
  for (const group of due) {
    const notified = await store.prisma.notification.findMany({
      where: { channelId: group.channelId, event: 'firing', status: 'delivered', alert: { ruleId: group.ruleId, state: 'firing' } },
      include: { alert: { include: { rule: true } } },
      orderBy: { id: 'asc' },
    });
    const alerts = notified.map((row) => row.alert).filter((alert) => groupKeyOf(group.ruleId, alert.subjectKey, group.rule.kind, group.rule.groupBy) === group.groupKey);
    if (alerts.length === 0) continue;
    const { channel } = group;
    answer.push({ groupId: group.id, channel: { id: channel.id, name: channel.name, kind: channel.kind, enabled: channel.enabled, config: channel.config }, alerts });
  }
  return answer;
}

export async function markGroupRepeated(store: Store, groupId: number, at: Date): Promise<void> {
  await store.prisma.notificationGroup.updateMany({ where: { id: groupId }, data: { lastSentAt: at } });
}
