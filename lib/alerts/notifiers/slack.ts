import type { SlackConfig } from '../channel-config';
import { describeSubject } from '../patterns';
import { postJson } from './http';
import type { AlertMessage, Notifier, SendContext } from './types';

const colors = { firing: '#d92d20', resolved: '#12b76a', test: '#1570ef' } as const;
const titles = { firing: 'FIRING', resolved: 'RESOLVED', test: 'TEST' } as const;

// Slack's incoming-webhook shape (`text` plus one attachment), which Mattermost, Rocket.Chat and
// Discord's /slack endpoint accept too.
const maxListed = 20;

export function renderSlackBody(message: AlertMessage): string {
  const { alert, rule } = message;
  const members = message.group?.alerts ?? [];
  const isGroup = members.length > 1;
  const where = Object.entries(message.group?.labels ?? {})
    .filter(([part]) => part !== 'rule')
    .map(([part, value]) => `${part} ${value}`)
    .join(', ');
  const headline = isGroup
    ? `[${titles[message.event]}] ${rule.name}: ${members.length} alerts${where ? ` in ${where}` : ''}`
    : `[${titles[message.event]}] ${rule.name}: ${describeSubject(alert.subject)}`;
  const listed = members.slice(0, maxListed).map((member) => `• ${member.link ? `<${member.link}|${describeSubject(member.subject)}>` : describeSubject(member.subject)}: ${member.text}`);
  const more = members.length > maxListed ? [`… and ${members.length - maxListed} more`] : [];
  return JSON.stringify({
    text: headline,
    attachments: [
      {
        color: colors[message.event],
        title: headline,
        ...(message.links.lease ? { title_link: message.links.lease } : {}),
        text: isGroup ? [...listed, ...more].join('\n') : message.text,
        fields: [
          { title: 'Rule', value: `${rule.kind.replace('_', ' ')}: ${rule.description}`, short: false },
          ...(message.links.lease ? [{ title: 'Lease at that moment', value: message.links.lease, short: false }] : []),
          ...(message.links.runbook ? [{ title: 'Runbook', value: message.links.runbook, short: false }] : []),
          ...(alert.endedBy && message.event === 'resolved' ? [{ title: 'Ended by', value: alert.endedBy, short: false }] : []),
        ],
        footer: `Leasetrail · alert ${alert.id}`,
        ts: Math.floor(Date.parse(message.sentAt) / 1_000),
      },
    ],
  });
}

function send(config: SlackConfig, message: AlertMessage, context: SendContext) {
  return postJson(new URL(config.url), renderSlackBody(message), { 'user-agent': 'Leasetrail-Slack/1' }, { allowPrivateTargets: config.allowPrivateTargets }, context);
}

export const slackNotifier: Notifier<SlackConfig> = { sendAlert: send, sendRecovery: send, sendTest: send };
