'use client';

import { useQuery } from '@tanstack/react-query';
import { useQueryStates } from 'nuqs';
import { AlertTable } from '@/components/alerts/alert-table';
import { alertKeys, inputClass, requestJson } from '@/components/alerts/api';
import { ChannelList } from '@/components/alerts/channel-list';
import { RuleList } from '@/components/alerts/rule-list';
import { SilenceList } from '@/components/alerts/silence-list';
import type { AlertsResponse, ChannelsResponse, RulesResponse } from '@/lib/api/alert-dto';
import { alertsSearchParams, alertTabs, historyDays, type AlertTab } from './search-params';

type Initial = { open: AlertsResponse; history: AlertsResponse; rules: RulesResponse; channels: ChannelsResponse };

const tabLabels: Record<AlertTab, string> = { firing: 'Firing now', history: 'History', rules: 'Rules', silences: 'Silences', channels: 'Channels' };

function historyUrl(cluster: string, days: number): string {
  const params = new URLSearchParams({ state: 'all', from: new Date(Date.now() - days * 86_400_000).toISOString(), limit: '200' });
  if (cluster) params.set('cluster', cluster);
  return `/api/alerts?${params.toString()}`;
}

export function AlertsClient({ initial }: { initial: Initial }) {
  const [params, setParams] = useQueryStates(alertsSearchParams);
  const days = historyDays.includes(params.days as (typeof historyDays)[number]) ? params.days : 7;
  const isDefaultHistory = params.cluster === '' && days === 7;

  const open = useQuery({ queryKey: alertKeys.open, queryFn: () => requestJson<AlertsResponse>('/api/alerts?state=open&limit=500'), initialData: initial.open, refetchInterval: 3_000 });
  const history = useQuery({
    queryKey: alertKeys.history(params.cluster, days),
    queryFn: () => requestJson<AlertsResponse>(historyUrl(params.cluster, days)),
    initialData: isDefaultHistory ? initial.history : undefined,
    refetchInterval: 15_000,
    enabled: params.tab === 'history',
  });
  const rules = useQuery({ queryKey: alertKeys.rules, queryFn: () => requestJson<RulesResponse>('/api/alert-rules'), initialData: initial.rules, refetchInterval: 10_000 });
  const channels = useQuery({ queryKey: alertKeys.channels, queryFn: () => requestJson<ChannelsResponse>('/api/channels'), initialData: initial.channels, refetchInterval: 10_000 });

  const firingCount = open.data.alerts.filter((alert) => alert.state === 'firing').length;
  const failedDeliveries = channels.data.channels.reduce((sum, channel) => sum + channel.deliveries.failed, 0);
  const counts: Record<AlertTab, string> = {
    firing: open.data.alerts.length > 0 ? ` (${open.data.alerts.length})` : '',
    history: '',
    rules: ` (${rules.data.rules.length})`,
    silences: '',
    channels: failedDeliveries > 0 ? ` (${failedDeliveries} failed)` : ` (${channels.data.channels.length})`,
  };
  const error = open.error ?? rules.error ?? channels.error ?? history.error;

  return (
    <div className="space-y-5">
      <div className="flex items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Alerts</h1>
          <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
            Flapping, leaderless, renew-latency and stale-data rules over the lease history, with notifications to webhooks, Slack and Alertmanager.
          </p>
        </div>
        <p className={`text-sm font-medium ${firingCount > 0 ? 'text-red-700 dark:text-red-400' : 'text-zinc-600 dark:text-zinc-400'}`} aria-live="polite">
          {firingCount > 0 ? `${firingCount} firing` : 'Nothing firing'}
        </p>
      </div>
      {error ? (
        <p role="alert" className="text-sm text-red-700">
          Could not refresh: {error.message}
        </p>
      ) : null}

      <div role="tablist" aria-label="Alerts views" className="flex gap-1 overflow-x-auto border-b border-zinc-200 dark:border-zinc-800">
        {alertTabs.map((tab) => (
          <button
            key={tab}
            type="button"
            role="tab"
            id={`tab-${tab}`}
            aria-selected={params.tab === tab}
            aria-controls={`panel-${tab}`}
            onClick={() => void setParams({ tab: tab === 'firing' ? null : tab })}
            className={`-mb-px border-b-2 px-3 py-1.5 text-sm ${params.tab === tab ? 'border-zinc-900 font-medium dark:border-zinc-100' : 'border-transparent text-zinc-600 hover:text-zinc-900 dark:text-zinc-400'}`}
          >
            {tabLabels[tab]}
            {counts[tab]}
          </button>
        ))}
      </div>

      <section role="tabpanel" id={`panel-${params.tab}`} aria-labelledby={`tab-${params.tab}`}>
        {params.tab === 'firing' ? (
          open.data.alerts.length === 0 ? (
            <p className="rounded-lg border border-dashed border-zinc-300 p-6 text-sm text-zinc-600 dark:text-zinc-400 dark:border-zinc-700">
              Nothing is firing or pending. {rules.data.rules.length === 0 ? 'Create a rule under Rules to be told when leadership gets unstable.' : ''}
            </p>
          ) : (
            <AlertTable alerts={open.data.alerts} mode="open" label="Firing and pending alerts" />
          )
        ) : null}
        {params.tab === 'history' ? (
          <div className="space-y-3">
            <div className="flex flex-wrap items-center gap-2">
              <input
                type="search"
                aria-label="Cluster"
                placeholder="Cluster (exact name)"
                className={`${inputClass} w-56`}
                value={params.cluster}
                onChange={(event) => void setParams({ cluster: event.target.value || null })}
              />
              <select aria-label="Period" className={`${inputClass} w-40`} value={days} onChange={(event) => void setParams({ days: Number(event.target.value) === 7 ? null : Number(event.target.value) })}>
                {historyDays.map((option) => (
                  <option key={option} value={option}>
                    last {option === 1 ? '24 h' : `${option} days`}
                  </option>
                ))}
              </select>
            </div>
            {history.data && history.data.alerts.length > 0 ? (
              <AlertTable alerts={history.data.alerts} mode="history" label="Alert history" />
            ) : (
              <p className="text-sm text-zinc-600 dark:text-zinc-400">{history.isFetching ? 'Loading…' : 'No alert in this period.'}</p>
            )}
            {history.data?.hasMore ? <p className="text-xs text-zinc-600 dark:text-zinc-400">Showing the latest 200; narrow the period or the cluster to see the rest.</p> : null}
          </div>
        ) : null}
        {params.tab === 'rules' ? <RuleList rules={rules.data.rules} channels={channels.data.channels} /> : null}
        {params.tab === 'silences' ? <SilenceList /> : null}
        {params.tab === 'channels' ? <ChannelList channels={channels.data.channels} /> : null}
      </section>
    </div>
  );
}
