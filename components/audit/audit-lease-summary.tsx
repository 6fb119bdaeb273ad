'use client';

import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { EmptyRow, Table, TableBody, TableHead, Th } from '@/components/ui/table';
import type { LeaseWindowDto } from '@/lib/api/audit-dto';
import type { SloSummaryDto } from '@/lib/api/slo-dto';
import { evaluateSlo } from '@/lib/slo/budget';
import { isLeaseInSlo } from '@/lib/slo/scope';
import { fetchJson } from '@/lib/ui/fetch-json';
import { formatDuration } from '@/lib/ui/format';
import { leaseHref } from '@/lib/ui/links';

const percent = (share: number) => `${(share * 100).toFixed(share > 0.999 && share < 1 ? 2 : 1)} %`;

function ShareBar({ lease }: { lease: LeaseWindowDto }) {
  const width = (ms: number) => `${lease.windowMs > 0 ? (ms / lease.windowMs) * 100 : 0}%`;
  return (
    <div className="flex h-2 w-28 overflow-hidden rounded-sm bg-zinc-100 dark:bg-zinc-800" aria-hidden>
      <span className="bg-emerald-500" style={{ width: width(lease.ledMs) }} />
      <span className="bg-red-500" style={{ width: width(lease.leaderlessMs) }} />
      <span className="bg-zinc-400 dark:bg-zinc-600" style={{ width: width(lease.unknownMs) }} />
    </div>
  );
}

// The SLOs selecting this lease, judged over the audit window: led share of observed time against each target.
function SloCell({ lease, slos }: { lease: LeaseWindowDto; slos: SloSummaryDto[] }) {
  const matching = slos.filter(({ slo }) => isLeaseInSlo(slo, lease));
  if (matching.length === 0) return <span className="text-zinc-400">—</span>;
  return (
    <span className="flex flex-col items-end">
      {matching.map(({ slo }) => {
        const status = evaluateSlo({ ledMs: lease.ledMs, leaderlessMs: lease.leaderlessMs, unknownMs: lease.unknownMs }, slo.targetPercent / 100);
        const verdict = status.isMet === null ? 'not observed' : status.isMet ? 'met' : 'missed';
        return (
          <span key={slo.id} title={`${slo.name}: ${slo.targetPercent} % target over observed time in this window`} className={status.isMet === false ? 'font-semibold text-red-700 dark:text-red-400' : ''}>
            {slo.name} {slo.targetPercent} % {verdict}
          </span>
        );
      })}
    </span>
  );
}

// Quiet leases (led throughout, nothing moved) are hidden until asked for: in a fleet they are most rows.
export function AuditLeaseSummary({ leases, range }: { leases: LeaseWindowDto[]; range: { from: string; to: string } }) {
  const [isShowingAll, setShowingAll] = useState(false);
  const slos = useQuery({ queryKey: ['slos'], queryFn: () => fetchJson<{ slos: SloSummaryDto[] }>('/api/slos'), staleTime: 60_000 });
  const eventful = leases.filter((lease) => lease.failovers > 0 || lease.missed > 0 || lease.leaderlessMs > 0 || lease.unknownMs > 0);
  const shown = isShowingAll ? leases : eventful;
  return (
    <section aria-labelledby="lease-summary-heading" className="space-y-2">
      <div className="flex flex-wrap items-baseline gap-3">
        <h2 id="lease-summary-heading" className="text-sm font-semibold">
          Per lease
        </h2>
        <span className="text-xs text-zinc-600 dark:text-zinc-400">
          green: a valid leader · red: nobody led · grey: not observed (neither)
        </span>
        {leases.length > eventful.length ? (
          <button type="button" onClick={() => setShowingAll(!isShowingAll)} className="text-xs text-sky-700 hover:underline dark:text-sky-400">
            {isShowingAll ? `Only leases where something happened (${eventful.length})` : `Show all ${leases.length} leases`}
          </button>
        ) : null}
      </div>
      <Table>
        <TableHead>
          <Th>Lease</Th>
          <Th numeric>Failovers</Th>
          <Th numeric>Early</Th>
          <Th numeric>Missed</Th>
          <Th numeric>Leaderless</Th>
          <Th numeric>Longest</Th>
          <Th numeric>With a leader</Th>
          <Th numeric>Not observed</Th>
          <Th numeric>SLO</Th>
          <Th>
            <span className="sr-only">Share of the window</span>
          </Th>
        </TableHead>
        <TableBody>
          {shown.map((lease) => (
            <tr key={`${lease.cluster}/${lease.namespace}/${lease.name}`} data-testid="lease-summary-row">
              <td className="px-3 py-1.5">
                <span className="text-zinc-600 dark:text-zinc-400">{lease.cluster}</span>{' '}
                <Link href={leaseHref(lease, range)} title="Open the lease over this window" className="font-medium hover:underline">
                  {lease.namespace}/{lease.name}
                </Link>
              </td>
              <td className="px-3 py-1.5 text-right tabular-nums">{lease.failovers}</td>
              <td className={`px-3 py-1.5 text-right tabular-nums ${lease.earlyTakeovers > 0 ? 'font-semibold text-red-700 dark:text-red-400' : ''}`}>{lease.earlyTakeovers}</td>
              <td className="px-3 py-1.5 text-right tabular-nums">{lease.missed}</td>
              <td className="px-3 py-1.5 text-right tabular-nums">{lease.leaderlessMs > 0 ? formatDuration(lease.leaderlessMs) : '—'}</td>
              <td className="px-3 py-1.5 text-right tabular-nums">{lease.longestLeaderlessMs > 0 ? formatDuration(lease.longestLeaderlessMs) : '—'}</td>
              <td className="px-3 py-1.5 text-right tabular-nums">{percent(lease.ledShare)}</td>
              <td className="px-3 py-1.5 text-right tabular-nums">{lease.unknownMs > 0 ? formatDuration(lease.unknownMs) : '—'}</td>
              <td className="px-3 py-1.5 text-right text-xs">
                <SloCell lease={lease} slos={slos.data?.slos ?? []} />
              </td>
              <td className="px-3 py-1.5">
                <ShareBar lease={lease} />
              </td>
            </tr>
          ))}
          {shown.length === 0 ? <EmptyRow columns={10}>{leases.length === 0 ? 'No elected lease in this window.' : 'Every lease had a valid leader for the whole window.'}</EmptyRow> : null}
        </TableBody>
      </Table>
    </section>
  );
}
