'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { inputClass, requestJson } from '@/components/alerts/api';
import type { Advice } from '@/lib/advisor/advise-timing';
import type { LeaseKey } from '@/lib/leases/types';

type AdviceResponse = Advice & { range: { from: string; to: string } };

const severityStyles = {
  violation: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300',
  warning: 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-300',
  info: 'bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300',
  ok: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300',
} as const;

const sourceText = { lease: 'from the Lease', given: 'given', inferred: 'inferred from renewals', unknown: 'unknown' } as const;

function advisorUrl(key: LeaseKey, days: string, renewDeadline: string, retryPeriod: string): string {
  const params = new URLSearchParams({ days });
  if (renewDeadline.trim()) params.set('renewDeadlineSeconds', renewDeadline.trim());
  if (retryPeriod.trim()) params.set('retryPeriodSeconds', retryPeriod.trim());
  return `/api/leases/${[key.cluster, key.namespace, key.name].map(encodeURIComponent).join('/')}/advisor?${params.toString()}`;
}

// The timing advisor: how this lease's LeaseDuration / RenewDeadline / RetryPeriod hold up in its own history.
export function AdvisorPanel({ leaseKey }: { leaseKey: LeaseKey }) {
  const [days, setDays] = useState('7');
  const [renewDeadline, setRenewDeadline] = useState('');
  const [retryPeriod, setRetryPeriod] = useState('');
  const url = advisorUrl(leaseKey, days, renewDeadline, retryPeriod);
  const advice = useQuery({ queryKey: ['lease', 'advisor', leaseKey.cluster, leaseKey.namespace, leaseKey.name, url], queryFn: () => requestJson<AdviceResponse>(url), retry: false });
  const data = advice.data;
  return (
    <div className="space-y-3" data-testid="advisor-panel">
      <div className="flex flex-wrap items-end gap-3 text-xs">
        <label>
          Look back
          <select className={`${inputClass} mt-1 w-28`} value={days} onChange={(event) => setDays(event.target.value)}>
            {['1', '7', '14', '31'].map((option) => (
              <option key={option} value={option}>
                {option} day{option === '1' ? '' : 's'}
              </option>
            ))}
          </select>
        </label>
        <label>
          RenewDeadline (s), if you know it
          <input className={`${inputClass} mt-1 w-28`} inputMode="decimal" value={renewDeadline} onChange={(event) => setRenewDeadline(event.target.value)} placeholder="10" />
        </label>
        <label>
          RetryPeriod (s), if you know it
          <input className={`${inputClass} mt-1 w-28`} inputMode="decimal" value={retryPeriod} onChange={(event) => setRetryPeriod(event.target.value)} placeholder="2" />
        </label>
      </div>
      <p className="text-xs text-zinc-600 dark:text-zinc-400">
        A Lease carries only leaseDurationSeconds. RenewDeadline and RetryPeriod live in the client&apos;s configuration: give them above, or RetryPeriod is inferred from the median renew interval.
      </p>
      {advice.error ? (
        <p role="alert" className="text-sm text-red-700">
          {advice.error.message}
        </p>
      ) : null}
      {data ? (
        <>
          <dl className="grid grid-cols-2 gap-2 text-sm sm:grid-cols-4">
            {(
              [
                ['LeaseDuration', data.settings.leaseDuration],
                ['RenewDeadline', data.settings.renewDeadline],
                ['RetryPeriod', data.settings.retryPeriod],
              ] as const
            ).map(([label, setting]) => (
              <div key={label}>
                <dt className="text-xs text-zinc-600 dark:text-zinc-400">{label}</dt>
                <dd>
                  {setting.seconds === null ? '—' : `${setting.seconds} s`} <span className="text-xs text-zinc-600 dark:text-zinc-400">({sourceText[setting.source]})</span>
                </dd>
              </div>
            ))}
            <div>
              <dt className="text-xs text-zinc-600 dark:text-zinc-400">Evidence</dt>
              <dd>
                {data.samples.renewIntervals} renewals, {data.samples.failovers} failovers
                {data.samples.tailPercentile === null
                  ? ''
                  : ` · renew tail read at ${data.samples.tailPercentile}${data.samples.tailPercentile === 'p99' ? ` (p99.9 needs ${data.samples.minP999RenewIntervals} renewals)` : ''}`}
              </dd>
            </div>
          </dl>
          <ul className="space-y-1 text-sm" aria-label="Findings">
            {data.findings.map((finding) => (
              <li key={finding.id}>
                <span className={`mr-2 rounded px-1.5 py-0.5 text-xs font-medium ${severityStyles[finding.severity]}`}>{finding.severity}</span>
                {finding.text}
                <span className="block pl-2 text-xs text-zinc-600 dark:text-zinc-400">{finding.evidence}</span>
              </li>
            ))}
          </ul>
          {data.recommendations.length > 0 ? (
            <table className="w-full text-sm" aria-label="Recommendations">
              <thead className="text-xs text-zinc-600 dark:text-zinc-400">
                <tr>
                  <th scope="col" className="text-left font-medium">Setting</th>
                  <th scope="col" className="text-left font-medium">Now</th>
                  <th scope="col" className="text-left font-medium">Recommended</th>
                  <th scope="col" className="text-left font-medium">Why</th>
                </tr>
              </thead>
              <tbody>
                {data.recommendations.map((recommendation) => (
                  <tr key={recommendation.setting} className="align-top">
                    <td className="font-medium">{recommendation.setting}</td>
                    <td>{recommendation.current}</td>
                    <td>{recommendation.recommended}</td>
                    <td className="text-xs">{recommendation.reasoning}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">No change recommended on this evidence.</p>
          )}
        </>
      ) : advice.isFetching ? (
        <div className="h-16 animate-pulse rounded bg-zinc-100 dark:bg-zinc-900" aria-label="Loading advice" />
      ) : null}
    </div>
  );
}
