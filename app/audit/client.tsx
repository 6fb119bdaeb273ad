'use client';

import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useQueryStates } from 'nuqs';
import { useState } from 'react';
import { AuditAnnotations, type AnnotationTarget } from '@/components/audit/audit-annotations';
import { AuditBlindSpots } from '@/components/audit/audit-blind-spots';
import { AuditBursts } from '@/components/audit/audit-bursts';
import { AuditFailoverTable } from '@/components/audit/audit-failover-table';
import { AuditIncidentPicker } from '@/components/audit/audit-incident-picker';
import { AuditLeaseSummary } from '@/components/audit/audit-lease-summary';
import { AutoRefreshSelect } from '@/components/forms/auto-refresh-select';
import { RangePicker } from '@/components/forms/range-picker';
import { Select, fieldClass } from '@/components/ui/select';
import { useTimeZone } from '@/components/ui/time-zone-select';
import type { FailoversResponse } from '@/lib/api/audit-dto';
import { failoverCauseLabels, failoverCauses } from '@/lib/audit/causes';
import { exportFileName } from '@/lib/audit/export-name';
import { resolveAuditWindow, type AuditWindow, type AuditWindowSelection } from '@/lib/audit/window';
import { formatDuration, formatTime, plural } from '@/lib/ui/format';
import { fetchJson } from '@/lib/ui/fetch-json';
import { shiftRange, zoomOutRange } from '@/lib/ui/time-range';
import { auditSearchParams, serializeAuditSearchParams } from './search-params';

const iso = (ms: number) => new Date(ms).toISOString();

// Fleet-wide keys under 'timeline' are refetched when the controller stores a transition.
const auditKey = ['timeline', 'audit'] as const;

// Called from the query function, never while rendering: a preset's window ends when it is fetched.
function latestWindow(selection: AuditWindowSelection): AuditWindow {
  return resolveAuditWindow(selection, Date.now());
}

export function AuditClient({ clusters, initialNow }: { clusters: string[]; initialNow: number }) {
  const mode = useTimeZone();
  const queryClient = useQueryClient();
  const [params, setParams] = useQueryStates(auditSearchParams);
  const [now, setNow] = useState(initialNow);
  const [target, setTarget] = useState<AnnotationTarget>({ type: 'window' });
  const selection = { range: params.range, from: params.from, to: params.to, incident: params.incident, margin: params.margin };
  const auditWindow = resolveAuditWindow(selection, now);
  const isSliding = auditWindow.mode === 'preset' || auditWindow.mode === 'relative';
  const rangeKey = auditWindow.mode === 'preset' ? params.range : auditWindow.mode === 'relative' ? `${params.from}..${params.to}` : `${auditWindow.from}-${auditWindow.to}`;
  const [refreshMs, setRefreshMs] = useState<number | false>(false);

  const apiQuery = (range: AuditWindow, format: 'json' | 'csv') => {
    const query = new URLSearchParams({ from: iso(range.from), to: iso(range.to) });
    if (params.cluster) query.set('cluster', params.cluster);
    if (params.namespace) query.set('namespace', params.namespace);
    if (params.cause) query.set('cause', params.cause);
    query.set('burst', String(params.burst));
    query.set('format', format);
    return `/api/failovers?${query.toString()}`;
  };

  // A preset slides: each fetch asks for the latest window and the page follows it.
  const fetchedRange = () => {
    const range = isSliding ? latestWindow(selection) : auditWindow;
    if (isSliding) setNow(range.to);
    return range;
  };
  const audit = useQuery({
    queryKey: [...auditKey, rangeKey, params.cluster, params.namespace, params.cause, params.burst],
    queryFn: () => fetchJson<FailoversResponse>(apiQuery(fetchedRange(), 'json')),
    placeholderData: keepPreviousData,
    refetchInterval: refreshMs,
  });

  const setCustom = (from: number | string, to: number | string) =>
    void setParams({ from: typeof from === 'number' ? iso(from) : from, to: typeof to === 'number' ? iso(to) : to, incident: null }, { history: 'push' });
  const permalink = serializeAuditSearchParams('/audit', {
    ...params,
    ...(auditWindow.mode === 'incident' ? {} : { from: iso(auditWindow.from), to: iso(auditWindow.to) }),
    tz: mode,
  });
  const data = audit.data;
  const spanMs = auditWindow.to - auditWindow.from;

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Failover audit</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          Which leaderships moved in a window, when, why, how long nobody led — and whether Leasetrail was watching.
        </p>
      </div>

      <section aria-label="Window and filters" className="space-y-2">
        <div className="flex flex-wrap items-center gap-x-4 gap-y-2">
          <RangePicker
            range={params.range}
            from={auditWindow.from}
            to={auditWindow.to}
            isCustom={auditWindow.mode !== 'preset'}
            fromText={params.from}
            toText={params.to}
            onPreset={(preset) => void setParams({ range: preset, from: null, to: null, incident: null }, { history: 'push' })}
            onCustom={setCustom}
            onZoomOut={() => {
              const range = zoomOutRange(auditWindow, Date.now());
              setCustom(range.from, range.to);
            }}
            onShift={(direction) => {
              const range = shiftRange(auditWindow, direction, Date.now());
              setCustom(range.from, range.to);
            }}
          />
          <AutoRefreshSelect value={refreshMs} onChange={setRefreshMs} />
          <AuditIncidentPicker
            incident={params.incident}
            margin={params.margin}
            isActive={auditWindow.mode === 'incident'}
            onApply={(incident, margin) => void setParams({ incident, margin, from: null, to: null }, { history: 'push' })}
          />
        </div>
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <Select aria-label="Cluster" value={params.cluster} onChange={(event) => void setParams({ cluster: event.target.value || null })}>
            <option value="">All clusters</option>
            {clusters.map((cluster) => (
              <option key={cluster} value={cluster}>
                {cluster}
              </option>
            ))}
          </Select>
          <input
            key={`namespace-${params.namespace}`}
            aria-label="Namespace"
            placeholder="namespace (Enter)"
            defaultValue={params.namespace}
            onKeyDown={(event) => {
              if (event.key === 'Enter') void setParams({ namespace: event.currentTarget.value.trim() || null });
            }}
            onBlur={(event) => void setParams({ namespace: event.currentTarget.value.trim() || null })}
            className={`w-44 ${fieldClass}`}
          />
          <Select aria-label="Cause" value={params.cause} onChange={(event) => void setParams({ cause: (event.target.value || null) as typeof params.cause | null })}>
            <option value="">All causes</option>
            {failoverCauses.map((cause) => (
              <option key={cause} value={cause}>
                {failoverCauseLabels[cause]}
              </option>
            ))}
          </Select>
          <label className="flex items-center gap-1 text-xs text-zinc-600 dark:text-zinc-400">
            Burst gap
            <input
              key={`burst-${params.burst}`}
              type="number"
              min={1}
              max={3_600}
              aria-label="Burst gap in seconds"
              defaultValue={params.burst}
              onBlur={(event) => {
                const seconds = Number(event.currentTarget.value);
                if (Number.isInteger(seconds) && seconds >= 1 && seconds <= 3_600) void setParams({ burst: seconds });
              }}
              onKeyDown={(event) => {
                if (event.key === 'Enter') event.currentTarget.blur();
              }}
              className={`w-20 ${fieldClass}`}
            />
            s
          </label>
          <span className="ml-auto flex flex-wrap items-center gap-2">
            <a href={apiQuery(auditWindow, 'csv')} download className="rounded-md border border-zinc-300 px-2 py-1 text-xs hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800">
              Export CSV
            </a>
            <a href={apiQuery(auditWindow, 'json')} download={exportFileName(auditWindow, 'json')} className="rounded-md border border-zinc-300 px-2 py-1 text-xs hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800">
              Export JSON
            </a>
            <a href={permalink} className="rounded-md border border-zinc-300 px-2 py-1 text-xs hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800" title="This view with its window pinned to absolute times">
              Permalink
            </a>
          </span>
        </div>
        <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="audit-window">
          {auditWindow.mode === 'incident' ? `Incident at ${formatTime(params.incident ?? '', mode)} ± ${params.margin} min: ` : ''}
          {formatTime(auditWindow.from, mode)} → {formatTime(auditWindow.to, mode)} ({formatDuration(spanMs)})
          {data ? ` · ${plural(data.failovers.length, 'failover')} · ${plural(data.bursts.length, 'burst')} · ${plural(data.gaps.length, 'blind spot')}` : ''}
          <span className="sr-only" aria-live="polite">
            {audit.isFetching ? 'loading the audit' : ''}
          </span>
        </p>
      </section>

      {audit.isError ? (
        <p role="alert" className="rounded-md border border-red-300 bg-red-50 px-4 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
          Could not load the audit: {audit.error.message}
        </p>
      ) : null}
      {!data ? (
        audit.isError ? null : (
          <div className="space-y-3" aria-label="Loading the audit">
            <div className="h-12 animate-pulse rounded-lg bg-zinc-100 dark:bg-zinc-900" />
            <div className="h-40 animate-pulse rounded-lg bg-zinc-100 dark:bg-zinc-900" />
          </div>
        )
      ) : (
        <div className={`space-y-6 ${audit.isPlaceholderData ? 'opacity-60' : ''}`}>
          <AuditBlindSpots gaps={data.gaps} hasMore={data.hasMoreGaps} from={Date.parse(data.range.from)} to={Date.parse(data.range.to)} />
          <AuditBursts bursts={data.bursts} burstSeconds={data.filters.burstSeconds} onZoom={setCustom} />
          <section aria-labelledby="failovers-heading" className="space-y-2">
            <h2 id="failovers-heading" className="text-sm font-semibold">
              Failovers <span className="font-normal text-zinc-600 dark:text-zinc-400">· each lease opens at that moment</span>
            </h2>
            {data.hasMore ? (
              <p role="status" className="text-sm text-amber-700 dark:text-amber-400">
                Only the first {data.failovers.length} failovers are listed: narrow the window or filter.
              </p>
            ) : null}
            <AuditFailoverTable
              failovers={data.failovers}
              annotations={data.annotations}
              sort={params.sort}
              dir={params.dir}
              onSort={(key) => void setParams({ sort: key, dir: params.sort === key && params.dir === 'asc' ? 'desc' : 'asc' })}
              onAnnotate={(failover) => setTarget({ type: 'failover', failover })}
            />
          </section>
          <AuditLeaseSummary leases={data.leases} range={data.range} />
          <AuditAnnotations
            annotations={data.annotations}
            hasMore={data.hasMoreAnnotations}
            target={target}
            range={auditWindow}
            cluster={params.cluster}
            mode={mode}
            onClearTarget={() => setTarget({ type: 'window' })}
            onCreated={() => void queryClient.invalidateQueries({ queryKey: auditKey })}
          />
        </div>
      )}
    </div>
  );
}
