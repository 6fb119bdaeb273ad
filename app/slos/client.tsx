'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { Fragment, useState } from 'react';
import { buttonClass, inputClass, primaryButtonClass, requestJson } from '@/components/alerts/api';
import { useCan } from '@/components/auth/viewer-context';
import { ChartErrorBudget } from '@/components/slo/chart-error-budget';
import { useDraftForm } from '@/components/ui/use-draft-form';
import type { SloReportDto, SloSummaryDto } from '@/lib/api/slo-dto';
import { formatDuration } from '@/lib/ui/format';
import { leaseHref } from '@/lib/ui/links';

const sloKeys = { list: ['slos'] as const, report: (id: number) => ['slos', id] as const };

// A file download from the API, not a page: a plain link.
const exportHref = (format: 'csv' | 'json') => `/api/slos/export?format=${format}`;

const percentText = (value: number | null, digits = 3) => (value === null ? '—' : `${value.toFixed(digits)} %`);

type Draft = { name: string; clusterPattern: string; namespacePattern: string; leasePattern: string; labelSelector: string; targetPercent: string; windowDays: string };

const emptyDraft: Draft = { name: '', clusterPattern: '*', namespacePattern: '*', leasePattern: '*', labelSelector: '', targetPercent: '99.95', windowDays: '30' };

function SloForm({ onDone }: { onDone: () => void }) {
  const { draft, set, mutation: create, submit } = useDraftForm(
    () => emptyDraft,
    (sent: Draft) => requestJson('/api/slos', { method: 'POST', body: { ...sent, targetPercent: Number(sent.targetPercent), windowDays: Number(sent.windowDays) } }),
    onDone,
  );
  const field = (key: keyof Draft, label: string, placeholder: string) => (
    <label className="block text-sm">
      <span className="font-medium">{label}</span>
      <input className={`${inputClass} mt-1`} value={draft[key]} placeholder={placeholder} onChange={(event) => set({ [key]: event.target.value })} />
    </label>
  );
  return (
    <form onSubmit={submit} aria-label="New SLO" className="space-y-3 rounded-lg border border-zinc-200 p-4 dark:border-zinc-800">
      <h2 className="text-sm font-semibold">New SLO</h2>
      <div className="grid gap-3 sm:grid-cols-3">
        {field('name', 'Name', 'control plane')}
        {field('targetPercent', 'Target (% of observed time with a leader)', '99.95')}
        {field('windowDays', 'Window (days, up to 31)', '30')}
        {field('clusterPattern', 'Clusters (glob)', 'prod-*')}
        {field('namespacePattern', 'Namespaces (glob)', 'kube-system')}
        {field('leasePattern', 'Leases (glob)', 'kube-*')}
      </div>
      {field('labelSelector', 'Lease labels (Kubernetes label selector, empty for any)', 'app=etcd,tier in (control-plane)')}
      {create.error ? (
        <p role="alert" className="text-sm text-red-700">
          {create.error.message}
        </p>
      ) : null}
      <button type="submit" className={primaryButtonClass} disabled={create.isPending}>
        Create SLO
      </button>
    </form>
  );
}

function SloReport({ id }: { id: number }) {
  const report = useQuery({ queryKey: sloKeys.report(id), queryFn: () => requestJson<SloReportDto>(`/api/slos/${id}`), refetchInterval: 60_000 });
  if (report.error) return <p role="alert" className="text-sm text-red-700">{report.error.message}</p>;
  if (!report.data) return <p className="text-sm text-zinc-600 dark:text-zinc-400">Loading…</p>;
  const { chart, burn, leases, warning } = report.data;
  return (
    <div className="space-y-4">
      {warning ? (
        <p role="status" className="text-sm text-amber-800 dark:text-amber-300">
          Incomplete: {warning}
        </p>
      ) : null}
      <section aria-label="Error budget">
        <h3 className="text-sm font-semibold">Error budget remaining</h3>
        <ChartErrorBudget points={chart} />
      </section>
      <section aria-label="Burn rates">
        <h3 className="text-sm font-semibold">Burn rates (multi-window, as in the SRE workbook)</h3>
        <table className="mt-1 text-sm" aria-label="Burn rate windows">
          <thead className="text-xs text-zinc-600 dark:text-zinc-400">
            <tr>
              <th scope="col" className="pr-4 text-left font-medium">Windows</th>
              <th scope="col" className="pr-4 text-left font-medium">Threshold</th>
              <th scope="col" className="pr-4 text-left font-medium">Long</th>
              <th scope="col" className="pr-4 text-left font-medium">Short</th>
              <th scope="col" className="text-left font-medium">Burning</th>
            </tr>
          </thead>
          <tbody>
            {burn.map((window) => (
              <tr key={window.longWindowSeconds}>
                <td className="pr-4">
                  {formatDuration(window.longWindowSeconds * 1_000)} and {formatDuration(window.shortWindowSeconds * 1_000)}
                </td>
                <td className="pr-4">{window.factor}×</td>
                <td className="pr-4 tabular-nums">{window.longRate === null ? 'not observed' : `${window.longRate.toFixed(2)}×`}</td>
                <td className="pr-4 tabular-nums">
                  {window.shortRate === null ? 'not observed' : `${window.shortRate.toFixed(2)}×`}
                  {window.isShortJudged ? null : (
                    <span className="block text-xs text-zinc-600 dark:text-zinc-400">
                      {formatDuration(window.shortObservedSeconds * 1_000)} observed: too little to count, the long window decides
                    </span>
                  )}
                </td>
                <td className={window.isBurning ? 'font-medium text-red-700 dark:text-red-400' : ''}>{window.isBurning ? 'yes' : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-label="Leases in scope">
        <h3 className="text-sm font-semibold">Leases in scope ({leases.length})</h3>
        <table className="mt-1 w-full text-sm" aria-label="SLO leases">
          <thead className="text-xs text-zinc-600 dark:text-zinc-400">
            <tr>
              <th scope="col" className="text-left font-medium">Lease</th>
              <th scope="col" className="text-left font-medium">With a leader</th>
              <th scope="col" className="text-left font-medium">Leaderless</th>
              <th scope="col" className="text-left font-medium">Not observed</th>
            </tr>
          </thead>
          <tbody>
            {leases.map((lease) => (
              <tr key={`${lease.cluster}/${lease.namespace}/${lease.name}`}>
                <td>
                  <Link className="hover:underline" href={leaseHref(lease)}>
                    {lease.cluster} / {lease.namespace}/{lease.name}
                  </Link>
                </td>
                <td className="tabular-nums">{percentText(lease.sliPercent)}</td>
                <td className="tabular-nums">{formatDuration(lease.leaderlessSeconds * 1_000)}</td>
                <td className="tabular-nums">{formatDuration(lease.notObservedSeconds * 1_000)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}

export function SlosClient() {
  const canEdit = useCan('editor');
  const queryClient = useQueryClient();
  const [open, setOpen] = useState<number | null>(null);
  const slos = useQuery({ queryKey: sloKeys.list, queryFn: () => requestJson<{ slos: SloSummaryDto[] }>('/api/slos'), refetchInterval: 60_000 });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: sloKeys.list });
  const remove = useMutation({ mutationFn: (id: number) => requestJson(`/api/slos/${id}`, { method: 'DELETE' }), onSuccess: refresh });
  const rows = slos.data?.slos ?? [];
  return (
    <div className="space-y-5">
      <div className="flex items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Leadership SLOs</h1>
          <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
            Share of observed time with a valid leader. Time Leasetrail did not observe is left out of both sides and shown apart.
          </p>
        </div>
        <span className="flex gap-2 text-sm">
          <a className={buttonClass} href={exportHref('csv')} download>
            Export CSV
          </a>
          <a className={buttonClass} href={exportHref('json')}>
            JSON
          </a>
        </span>
      </div>
      {slos.error ? (
        <p role="alert" className="text-sm text-red-700">
          {slos.error.message}
        </p>
      ) : null}
      {canEdit ? <SloForm onDone={refresh} /> : null}
      {rows.length === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">{slos.isFetching ? 'Loading…' : 'No SLO yet.'}</p>
      ) : (
        <div className="relative overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
          <table className="w-full text-left text-sm" aria-label="SLOs">
            <thead className="bg-zinc-50 text-xs text-zinc-600 dark:bg-zinc-900 dark:text-zinc-400">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">SLO</th>
                <th scope="col" className="px-3 py-2 font-medium">Target</th>
                <th scope="col" className="px-3 py-2 font-medium">Achieved</th>
                <th scope="col" className="px-3 py-2 font-medium">Budget left</th>
                <th scope="col" className="px-3 py-2 font-medium">Leaderless / allowed</th>
                <th scope="col" className="px-3 py-2 font-medium">Not observed</th>
                <th scope="col" className="px-3 py-2 font-medium"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
              {rows.map(({ slo, status, warning }) => (
                <Fragment key={slo.id}>
                  <tr className="align-top">
                    <td className="px-3 py-2">
                      <span className="font-medium">{slo.name}</span>
                      <span className="block font-mono text-xs text-zinc-600 dark:text-zinc-400">
                        {slo.clusterPattern} / {slo.namespacePattern} / {slo.leasePattern}
                        {slo.labelSelector ? ` · labels ${slo.labelSelector}` : ''} · {slo.windowDays} d
                      </span>
                    </td>
                    <td className="px-3 py-2 tabular-nums">{slo.targetPercent} %</td>
                    <td className={`px-3 py-2 tabular-nums ${status.isMet === false ? 'font-medium text-red-700 dark:text-red-400' : ''}`}>{percentText(status.sliPercent)}</td>
                    <td className="px-3 py-2 tabular-nums">{percentText(status.budgetRemainingPercent, 1)}</td>
                    <td className="px-3 py-2 tabular-nums">
                      {formatDuration(status.leaderlessSeconds * 1_000)} / {formatDuration(status.allowedLeaderlessSeconds * 1_000)}
                    </td>
                    <td className="px-3 py-2 tabular-nums">
                      {formatDuration(status.notObservedSeconds * 1_000)}
                      {warning ? (
                        <span className="block text-xs text-amber-800 dark:text-amber-300" title={warning}>
                          at least (too many gaps to read)
                        </span>
                      ) : null}
                    </td>
                    <td className="space-x-1 px-3 py-2 text-right whitespace-nowrap">
                      <button type="button" className={buttonClass} aria-expanded={open === slo.id} onClick={() => setOpen(open === slo.id ? null : slo.id)}>
                        Details
                      </button>
                      {canEdit ? (
                        <button type="button" className={buttonClass} onClick={() => remove.mutate(slo.id)} aria-label={`Delete SLO ${slo.name}`}>
                          Delete
                        </button>
                      ) : null}
                    </td>
                  </tr>
                  {open === slo.id ? (
                    <tr>
                      <td colSpan={7} className="bg-zinc-50 px-3 py-3 dark:bg-zinc-900">
                        <SloReport id={slo.id} />
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
