import type { Metadata } from 'next';
import { toAlertsResponse, toChannelDto, toRuleDto } from '@/lib/api/alert-dto';
import { listAlerts, listRules } from '@/lib/store/alerts';
import { listChannels } from '@/lib/store/channels';
import { getStore } from '@/lib/store/client';
import { AlertsClient } from './client';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Alerts' };

const dayMs = 86_400_000;

export default async function AlertsPage() {
  const store = getStore();
  const now = new Date();
  const range = { from: new Date(now.getTime() - 7 * dayMs), to: now };
  const [open, history, rules, channels] = await Promise.all([
    listAlerts(store, { state: 'open', range, limit: 500 }),
    listAlerts(store, { state: 'all', range, limit: 200 }),
    listRules(store),
    listChannels(store),
  ]);
  return (
    <AlertsClient
      initial={{
        open: toAlertsResponse(open, range, now),
        history: toAlertsResponse(history, range, now),
        rules: { rules: rules.map(toRuleDto) },
        channels: { channels: channels.map(toChannelDto) },
      }}
    />
  );
}
