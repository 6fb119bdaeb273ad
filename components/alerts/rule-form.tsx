'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import type { ChannelDto, RuleDto } from '@/lib/api/alert-dto';
import { TimeText } from '@/components/ui/time-text';
import { defaultQuietSeconds } from '@/lib/alerts/params';
import { defaultGroupTiming } from '@/lib/alerts/grouping';
import { ruleKindLabels } from './alert-state-badge';
import { FormFooter } from './form-footer';
import { alertKeys, inputClass, requestJson } from './api';

type Kind = RuleDto['kind'];

type ParamField = { key: string; label: string; hint: string; fallback: string };

const paramFields: Record<Kind, ParamField[]> = {
  flapping: [
    { key: 'transitions', label: 'Changes of leader (N)', hint: 'at least this many…', fallback: '3' },
    { key: 'windowSeconds', label: 'Window (seconds)', hint: '…within this window', fallback: '600' },
  ],
  leaderless: [{ key: 'seconds', label: 'Leaderless for (seconds)', hint: 'no valid holder for at least this long', fallback: '30' }],
  renew_latency: [
    { key: 'windowSeconds', label: 'Window (seconds)', hint: 'p95 of renew intervals over this window', fallback: '600' },
    { key: 'percentOfLeaseDuration', label: 'Threshold (% of lease duration)', hint: 'fires above this', fallback: '60' },
    { key: 'minSamples', label: 'Minimum samples', hint: 'fewer renewals are not judged', fallback: '5' },
  ],
  stale_data: [{ key: 'seconds', label: 'Not observed for (seconds)', hint: 'a cluster with no data for this long', fallback: '300' }],
  heartbeat_gap: [
    { key: 'scope', label: 'Scope (node or cluster)', hint: 'one alert per node, or per cluster by share of nodes', fallback: 'node' },
    { key: 'gapSeconds', label: 'Renew gap (seconds)', hint: 'kubelet renews every 10 s; NotReady after 40–50 s', fallback: '30' },
    { key: 'windowSeconds', label: 'Window (seconds)', hint: 'gaps that ended within this window count', fallback: '300' },
    { key: 'clusterSharePercent', label: 'Cluster share (%)', hint: 'cluster scope: this share of nodes at once', fallback: '50' },
  ],
  slo_burn: [{ key: 'sloId', label: 'SLO id', hint: 'the SLO (see SLOs) whose error budget its scope burns as a whole: 14.4× over 1 h and 5 min, or 6× over 6 h and 30 min', fallback: '1' }],
};

type Draft = {
  name: string;
  kind: Kind;
  enabled: boolean;
  params: Record<string, string>;
  clusterPattern: string;
  namespacePattern: string;
  namePattern: string;
  excludes: string;
  forSeconds: string;
  quietSeconds: string;
  runbookUrl: string;
  groupBy: string;
  groupWaitSeconds: string;
  groupIntervalSeconds: string;
  repeatIntervalSeconds: string;
  channelIds: number[];
};

function defaultParams(kind: Kind): Record<string, string> {
  return Object.fromEntries(paramFields[kind].map((field) => [field.key, field.fallback]));
}

function draftOf(rule: RuleDto | undefined): Draft {
  if (!rule) {
    return { name: '', kind: 'flapping', enabled: true, params: defaultParams('flapping'), clusterPattern: '*', namespacePattern: '*', namePattern: '*', excludes: '', forSeconds: '0', quietSeconds: String(defaultQuietSeconds.flapping), runbookUrl: '', groupBy: 'cluster', groupWaitSeconds: String(defaultGroupTiming.groupWaitSeconds), groupIntervalSeconds: String(defaultGroupTiming.groupIntervalSeconds), repeatIntervalSeconds: String(defaultGroupTiming.repeatIntervalSeconds), channelIds: [] };
  }
  return {
    name: rule.name,
    kind: rule.kind,
    enabled: rule.enabled,
    params: Object.fromEntries(Object.entries(rule.params).map(([key, value]) => [key, String(value)])),
    clusterPattern: rule.clusterPattern,
    namespacePattern: rule.namespacePattern,
    namePattern: rule.namePattern,
    excludes: rule.excludePatterns.join('\n'),
    forSeconds: String(rule.forSeconds),
    quietSeconds: String(rule.quietSeconds),
    runbookUrl: rule.runbookUrl ?? '',
    groupBy: rule.groupBy.join(', '),
    groupWaitSeconds: String(rule.groupWaitSeconds),
    groupIntervalSeconds: String(rule.groupIntervalSeconds),
    repeatIntervalSeconds: String(rule.repeatIntervalSeconds),
    channelIds: rule.channelIds,
  };
}

// Numbers go to the server as typed; its validation is the one that answers, in its own words.
const numberOrText = (value: string): number | string | undefined => (value.trim() === '' ? undefined : Number.isFinite(Number(value)) ? Number(value) : value);

function bodyOf(draft: Draft) {
  return {
    name: draft.name,
    kind: draft.kind,
    enabled: draft.enabled,
    params: Object.fromEntries(paramFields[draft.kind].map((field) => [field.key, numberOrText(draft.params[field.key] ?? '')]).filter(([, value]) => value !== undefined)),
    clusterPattern: draft.clusterPattern,
    namespacePattern: draft.namespacePattern,
    namePattern: draft.namePattern,
    excludePatterns: draft.excludes
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean),
    forSeconds: numberOrText(draft.forSeconds),
    quietSeconds: numberOrText(draft.quietSeconds),
    runbookUrl: draft.runbookUrl.trim() === '' ? null : draft.runbookUrl.trim(),
    groupBy: draft.groupBy
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
    groupWaitSeconds: numberOrText(draft.groupWaitSeconds),
    groupIntervalSeconds: numberOrText(draft.groupIntervalSeconds),
    repeatIntervalSeconds: numberOrText(draft.repeatIntervalSeconds),
    channelIds: draft.channelIds,
  };
}

function useDebounced<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}

type Preview = { firings: number; subjects: number; description: string; sampleStepSeconds: number | null; alerts: Array<{ subject: { cluster: string; namespace: string | null; name: string | null }; firingAt: string; resolvedAt: string | null }> };

function RulePreview({ body }: { body: string }) {
  const { data, error, isFetching } = useQuery({
    queryKey: alertKeys.preview(body),
    queryFn: () => requestJson<Preview>('/api/alert-rules/preview', { method: 'POST', body: { ...JSON.parse(body), hours: 24 } }),
    staleTime: 30_000,
    retry: false,
  });
  return (
    <section aria-label="Preview" aria-busy={isFetching} className="rounded-md border border-dashed border-zinc-300 p-3 text-sm dark:border-zinc-700">
      {error ? (
        <p className="text-amber-800 dark:text-amber-300">Not valid yet: {error.message}</p>
      ) : !data ? (
        <p className="text-zinc-600 dark:text-zinc-400">Computing the preview from stored history…</p>
      ) : (
        <>
          <p role="status">
            <strong>
              {data.firings === 0 ? 'Would not have fired' : `Would have fired ${data.firings} time${data.firings === 1 ? '' : 's'}`} in the last 24 h
            </strong>
            {data.firings > 0 ? ` (on ${data.subjects} ${data.subjects === 1 ? 'subject' : 'subjects'})` : ''}: {data.description}.
          </p>
          {data.sampleStepSeconds ? <p className="text-xs text-zinc-600 dark:text-zinc-400">Renew latency is replayed every {Math.round(data.sampleStepSeconds / 60)} min.</p> : null}
          {data.alerts.length > 0 ? (
            <ul className="mt-2 space-y-0.5 text-xs">
              {data.alerts.slice(0, 5).map((alert) => (
                <li key={`${alert.subject.cluster}/${alert.subject.namespace}/${alert.subject.name}/${alert.firingAt}`}>
                  <TimeText value={alert.firingAt} /> · {alert.subject.cluster}
                  {alert.subject.name ? ` / ${alert.subject.namespace}/${alert.subject.name}` : ''} · {alert.resolvedAt ? 'resolved' : 'still firing'}
                </li>
              ))}
            </ul>
          ) : null}
        </>
      )}
    </section>
  );
}

export function RuleForm({ rule, channels, onDone }: { rule?: RuleDto; channels: ChannelDto[]; onDone: () => void }) {
  const queryClient = useQueryClient();
  const id = useId();
  const [draft, setDraft] = useState<Draft>(() => draftOf(rule));
  const body = useMemo(() => bodyOf(draft), [draft]);
  const previewBody = useDebounced(JSON.stringify({ ...body, name: undefined, channelIds: undefined, enabled: undefined }), 400);
  const save = useMutation({
    mutationFn: () => (rule ? requestJson(`/api/alert-rules/${rule.id}`, { method: 'PATCH', body }) : requestJson('/api/alert-rules', { method: 'POST', body })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: alertKeys.rules });
      onDone();
    },
  });
  const set = (patch: Partial<Draft>) => setDraft((current) => ({ ...current, ...patch }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const field = (name: string) => `${id}-${name}`;

  return (
    <form onSubmit={submit} aria-label={rule ? `Edit rule ${rule.name}` : 'New rule'} className="space-y-4 rounded-lg border border-zinc-200 p-4 dark:border-zinc-800">
      <div className="grid gap-3 sm:grid-cols-3">
        <label htmlFor={field('name')} className="text-xs sm:col-span-2">
          Name
          <input id={field('name')} className={inputClass} value={draft.name} onChange={(event) => set({ name: event.target.value })} required />
        </label>
        <label htmlFor={field('kind')} className="text-xs">
          Kind
          <select id={field('kind')} className={inputClass} value={draft.kind} onChange={(event) => set({ kind: event.target.value as Kind, params: defaultParams(event.target.value as Kind), quietSeconds: String(defaultQuietSeconds[event.target.value as Kind]) })}>
            {Object.entries(ruleKindLabels).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </div>

      <fieldset className="grid gap-3 sm:grid-cols-3">
        <legend className="mb-1 text-xs font-semibold">Condition</legend>
        {paramFields[draft.kind].map((param) => (
          <label key={param.key} htmlFor={field(param.key)} className="text-xs">
            {param.label}
            <input id={field(param.key)} className={inputClass} inputMode="decimal" value={draft.params[param.key] ?? ''} onChange={(event) => set({ params: { ...draft.params, [param.key]: event.target.value } })} />
            <span className="text-zinc-600 dark:text-zinc-400">{param.hint}</span>
          </label>
        ))}
      </fieldset>

      <fieldset className="grid gap-3 sm:grid-cols-3">
        <legend className="mb-1 text-xs font-semibold">Scope (globs: * and ?)</legend>
        <label htmlFor={field('cluster')} className="text-xs">
          Cluster pattern
          <input id={field('cluster')} className={inputClass} value={draft.clusterPattern} onChange={(event) => set({ clusterPattern: event.target.value })} />
        </label>
        <label htmlFor={field('namespace')} className="text-xs">
          Namespace pattern
          <input id={field('namespace')} className={inputClass} value={draft.namespacePattern} onChange={(event) => set({ namespacePattern: event.target.value })} disabled={draft.kind === 'stale_data'} />
        </label>
        <label htmlFor={field('lease')} className="text-xs">
          Lease name pattern
          <input id={field('lease')} className={inputClass} value={draft.namePattern} onChange={(event) => set({ namePattern: event.target.value })} disabled={draft.kind === 'stale_data'} />
        </label>
        <label htmlFor={field('excludes')} className="text-xs sm:col-span-3">
          Exclusions, one per line: cluster, cluster/namespace or cluster/namespace/name
          <textarea id={field('excludes')} className={inputClass} rows={2} value={draft.excludes} onChange={(event) => set({ excludes: event.target.value })} placeholder="sim-staging&#10;*/kube-system/kube-controller-manager" />
        </label>
      </fieldset>

      <fieldset className="grid gap-3 sm:grid-cols-3">
        <legend className="mb-1 text-xs font-semibold">Lifecycle</legend>
        <label htmlFor={field('for')} className="text-xs">
          For (seconds)
          <input id={field('for')} className={inputClass} inputMode="numeric" value={draft.forSeconds} onChange={(event) => set({ forSeconds: event.target.value })} />
          <span className="text-zinc-600 dark:text-zinc-400">pending this long before firing</span>
        </label>
        <label htmlFor={field('quiet')} className="text-xs">
          Quiet period (seconds)
          <input id={field('quiet')} className={inputClass} inputMode="numeric" value={draft.quietSeconds} onChange={(event) => set({ quietSeconds: event.target.value })} />
          <span className="text-zinc-600 dark:text-zinc-400">clear this long before resolving</span>
        </label>
        <label className="flex items-center gap-2 self-center text-xs">
          <input type="checkbox" checked={draft.enabled} onChange={(event) => set({ enabled: event.target.checked })} />
          Enabled
        </label>
        <label htmlFor={field('runbook')} className="text-xs sm:col-span-3">
          Runbook URL
          <input id={field('runbook')} className={inputClass} value={draft.runbookUrl} onChange={(event) => set({ runbookUrl: event.target.value })} placeholder="https://wiki.example.com/runbooks/leaderless" />
          <span className="text-zinc-600 dark:text-zinc-400">linked from every notification of this rule</span>
        </label>
        <label htmlFor={field('group-by')} className="text-xs sm:col-span-2">
          Group by
          <input id={field('group-by')} className={inputClass} value={draft.groupBy} onChange={(event) => set({ groupBy: event.target.value })} placeholder="cluster" />
          <span className="text-zinc-600 dark:text-zinc-400">cluster, namespace, lease (comma-separated; always per rule): one message per group, listing its members</span>
        </label>
        <label htmlFor={field('group-wait')} className="text-xs">
          Group wait (seconds)
          <input id={field('group-wait')} className={inputClass} inputMode="numeric" value={draft.groupWaitSeconds} onChange={(event) => set({ groupWaitSeconds: event.target.value })} />
          <span className="text-zinc-600 dark:text-zinc-400">collect a burst before sending</span>
        </label>
        <label htmlFor={field('group-interval')} className="text-xs">
          Group interval (seconds)
          <input id={field('group-interval')} className={inputClass} inputMode="numeric" value={draft.groupIntervalSeconds} onChange={(event) => set({ groupIntervalSeconds: event.target.value })} />
          <span className="text-zinc-600 dark:text-zinc-400">after a group was notified, how long its changes wait</span>
        </label>
        <label htmlFor={field('repeat-interval')} className="text-xs">
          Repeat interval (seconds)
          <input id={field('repeat-interval')} className={inputClass} inputMode="numeric" value={draft.repeatIntervalSeconds} onChange={(event) => set({ repeatIntervalSeconds: event.target.value })} />
          <span className="text-zinc-600 dark:text-zinc-400">remind of a group still firing (0: never)</span>
        </label>
      </fieldset>

      <fieldset>
        <legend className="mb-1 text-xs font-semibold">Notify</legend>
        {channels.length === 0 ? (
          <p className="text-xs text-zinc-600 dark:text-zinc-400">No channel yet: alerts show here only. Add one under Channels.</p>
        ) : (
          <div className="flex flex-wrap gap-3">
            {channels.map((channel) => (
              <label key={channel.id} className="flex items-center gap-1.5 text-xs">
                <input
                  type="checkbox"
                  checked={draft.channelIds.includes(channel.id)}
                  onChange={(event) => set({ channelIds: event.target.checked ? [...draft.channelIds, channel.id] : draft.channelIds.filter((channelId) => channelId !== channel.id) })}
                />
                {channel.name} <span className="text-zinc-600 dark:text-zinc-400">({channel.kind})</span>
              </label>
            ))}
          </div>
        )}
      </fieldset>

      <RulePreview body={previewBody} />

      <FormFooter error={save.error} isPending={save.isPending} submitLabel={rule ? 'Save rule' : 'Create rule'} onCancel={onDone} />
    </form>
  );
}
