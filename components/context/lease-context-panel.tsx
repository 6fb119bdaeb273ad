'use client';

import { useQuery, keepPreviousData } from '@tanstack/react-query';
import { EmptyRow, Table, TableBody, TableHead, Th } from '@/components/ui/table';
import { IdentityText } from '@/components/ui/identity-text';
import { TimeText } from '@/components/ui/time-text';
import type { AccessDto, LeaseContextDto } from '@/lib/api/context-dto';
import { describeBandFact } from '@/lib/leases/failover-hint';
import type { LeaseKey } from '@/lib/leases/types';
import { fetchJson } from '@/lib/ui/fetch-json';
import { formatDuration } from '@/lib/ui/format';
import { missingAccess } from '@/lib/ui/missing-access';
import { FailoverHintCell } from './failover-hint-cell';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const resourceLabels: Record<AccessDto['resource'], { what: string; rule: string }> = {
  pods: { what: 'pod and node of each identity, container restarts', rule: 'list, watch on pods' },
  events: { what: 'Events through core/v1 (LeaderElection, holder pods)', rule: 'list, watch on events' },
  events_k8s_io: { what: 'Events through events.k8s.io/v1 (LeaderElection, holder pods)', rule: 'list, watch on events.events.k8s.io' },
  leasecandidates: { what: 'coordinated election candidates', rule: 'list, watch on leasecandidates.coordination.k8s.io' },
};

// One query for the panel and the timeline's "API server degraded" bands: the page asks once.
export function useLeaseContext(leaseKey: LeaseKey, range: { from: number; to: number }) {
  const base = `/api/leases/${encodeURIComponent(leaseKey.cluster)}/${encodeURIComponent(leaseKey.namespace)}/${encodeURIComponent(leaseKey.name)}/context`;
  const search = new URLSearchParams({ from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString() });
  return useQuery({
    queryKey: ['lease', 'context', leaseKey.cluster, leaseKey.namespace, leaseKey.name, range.from, range.to],
    queryFn: () => fetchJson<LeaseContextDto>(`${base}?${search}`),
    placeholderData: keepPreviousData,
    refetchInterval: 5_000,
  });
}

export function LeaseContextPanel({ leaseKey, range, now }: { leaseKey: LeaseKey; range: { from: number; to: number }; now: number }) {
  const query = useLeaseContext(leaseKey, range);
  if (query.isError) {
    return (
      <p role="alert" className="text-sm text-red-600">
        Could not load the failover context: {query.error.message}
      </p>
    );
  }
  if (!query.data) return <div className="h-24 animate-pulse rounded bg-zinc-100 dark:bg-zinc-900" aria-label="Loading failover context" />;
  const context = query.data;
  return (
    <div className="space-y-6">
      <CoordinationSummary context={context} now={now} />
      <MissingAccess access={context.access} />
      <section aria-labelledby="failovers-context-heading" className="space-y-2">
        <h2 id="failovers-context-heading" className="text-sm font-semibold">
          Why did it fail over? <span className="font-normal text-zinc-600 dark:text-zinc-400">· evidence kept by Leasetrail: pod restarts, Events, API server bands</span>
        </h2>
        {context.bands.length > 0 ? (
          <ul data-testid="degraded-bands" className="space-y-1 text-sm">
            {context.bands.map((band) => (
              <li key={band.id} className="rounded border border-amber-300 bg-amber-50 px-3 py-1 text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200">
                API server degraded in {leaseKey.cluster}: <TimeText value={iso(band.startedAt)} seconds /> – {band.endedAt === null ? 'ongoing' : <TimeText value={iso(band.endedAt)} seconds />} ·{' '}
                {describeBandFact(band)}
              </li>
            ))}
          </ul>
        ) : null}
        <Table>
          <TableHead>
            <Th>Time</Th>
            <Th>From → to</Th>
            <Th>Hint</Th>
          </TableHead>
          <TableBody>
            {context.failovers.length === 0 ? (
              <EmptyRow columns={3}>No failover in this window.</EmptyRow>
            ) : (
              context.failovers.map((failover) => (
                <tr key={failover.id} data-testid="context-failover" className="align-top">
                  <td className="whitespace-nowrap px-3 py-2">
                    <TimeText value={iso(failover.at)} seconds />
                  </td>
                  <td className="px-3 py-2">
                    <IdentityText value={failover.fromHolder} maxChars={24} />
                    {failover.fromPod?.nodeName ? <span className="block text-xs text-zinc-600 dark:text-zinc-400">on node {failover.fromPod.nodeName}</span> : null}
                    <span aria-hidden> → </span>
                    <IdentityText value={failover.toHolder} maxChars={24} />
                    {failover.toPod?.nodeName ? <span className="block text-xs text-zinc-600 dark:text-zinc-400">on node {failover.toPod.nodeName}</span> : null}
                  </td>
                  <td className="px-3 py-2">
                    <FailoverHintCell failover={failover} />
                  </td>
                </tr>
              ))
            )}
          </TableBody>
        </Table>
      </section>
      <CandidateTable context={context} now={now} />
      <section aria-labelledby="events-heading" className="space-y-2">
        <h2 id="events-heading" className="text-sm font-semibold">
          Events <span className="font-normal text-zinc-600 dark:text-zinc-400">· LeaderElection and holder pods, kept after the API server deletes them</span>
        </h2>
        <Table>
          <TableHead>
            <Th>Last seen</Th>
            <Th>Object</Th>
            <Th>Reason</Th>
            <Th>Message</Th>
            <Th>Kept</Th>
          </TableHead>
          <TableBody>
            {context.events.length === 0 ? (
              <EmptyRow columns={5}>No Events recorded in this window.</EmptyRow>
            ) : (
              context.events.map((event) => (
                <tr key={event.id} data-testid="kept-event" data-deleted={event.deletedAt !== null}>
                  <td className="whitespace-nowrap px-3 py-2">
                    <TimeText value={iso(event.lastAt)} seconds />
                  </td>
                  <td className="px-3 py-2">
                    {event.involvedKind}/{event.involvedName}
                  </td>
                  <td className="px-3 py-2">{event.reason}</td>
                  <td className="px-3 py-2">
                    {event.message}
                    {event.count > 1 ? <span className="text-zinc-600 dark:text-zinc-400"> ×{event.count}</span> : null}
                  </td>
                  <td className="whitespace-nowrap px-3 py-2 text-xs text-zinc-600 dark:text-zinc-400">
                    {event.deletedAt === null ? 'live in the cluster' : (
                      <>
                        deleted by the API server <TimeText value={iso(event.deletedAt)} />
                      </>
                    )}
                  </td>
                </tr>
              ))
            )}
          </TableBody>
        </Table>
      </section>
    </div>
  );
}

function CoordinationSummary({ context, now }: { context: LeaseContextDto; now: number }) {
  if (context.strategy === null) return null;
  const remaining = context.expiresAt === null ? null : context.expiresAt - now;
  return (
    <div className="flex flex-wrap items-center gap-3 text-sm">
      <span data-testid="strategy-badge" className="rounded-full bg-sky-100 px-2 py-0.5 text-xs font-medium text-sky-900 dark:bg-sky-950 dark:text-sky-200">
        coordinated · {context.strategy}
      </span>
      {context.preferredHolder ? (
        <span data-testid="end-of-term" className="font-medium text-amber-800 dark:text-amber-300">
          end of term → <IdentityText value={context.preferredHolder} maxChars={32} />
          {remaining !== null ? <> · expires {remaining > 0 ? `in ${formatDuration(remaining)}` : 'now'}</> : null}
        </span>
      ) : null}
    </div>
  );
}

function MissingAccess({ access }: { access: AccessDto[] }) {
  const missing = missingAccess(access);
  if (missing.length === 0) return null;
  return (
    <div role="status" data-testid="missing-access" className="rounded border border-zinc-300 px-3 py-2 text-sm dark:border-zinc-700">
      <p className="font-medium">Some failover evidence is not available:</p>
      <ul className="list-disc pl-5">
        {missing.map((entry) => (
          <li key={entry.resource} data-resource={entry.resource}>
            {resourceLabels[entry.resource].what}: {entry.access === 'denied' ? `permission denied — grant ${resourceLabels[entry.resource].rule} (deploy/components/failover-context)` : 'not served by this API server'}
          </li>
        ))}
      </ul>
    </div>
  );
}

function CandidateTable({ context, now }: { context: LeaseContextDto; now: number }) {
  if (context.candidates.length === 0 && context.strategy === null) return null;
  return (
    <section aria-labelledby="candidates-heading" className="space-y-2">
      <h2 id="candidates-heading" className="text-sm font-semibold">
        Candidates <span className="font-normal text-zinc-600 dark:text-zinc-400">· LeaseCandidate objects, ranked as {context.strategy ?? 'OldestEmulationVersion'} would</span>
      </h2>
      <Table>
        <TableHead>
          <Th numeric>Rank</Th>
          <Th>Candidate</Th>
          <Th>Binary</Th>
          <Th>Emulation</Th>
          <Th>Last renew</Th>
          <Th>Ping</Th>
          <Th>Why</Th>
        </TableHead>
        <TableBody>
          {context.candidates.length === 0 ? (
            <EmptyRow columns={7}>No LeaseCandidate for this lease.</EmptyRow>
          ) : (
            context.candidates.map((candidate) => (
              <tr key={candidate.name} data-testid="candidate-row" data-rank={candidate.rank ?? ''} className={candidate.isStale ? 'text-zinc-500' : undefined}>
                <td className="px-3 py-2 text-right tabular-nums">{candidate.rank ?? '—'}</td>
                <td className="px-3 py-2">
                  <IdentityText value={candidate.name} maxChars={32} />
                  {candidate.name === context.holderIdentity ? <span className="ml-1 text-xs text-emerald-700 dark:text-emerald-400">holder</span> : null}
                </td>
                <td className="px-3 py-2">{candidate.binaryVersion}</td>
                <td className="px-3 py-2">{candidate.emulationVersion ?? '—'}</td>
                <td className="whitespace-nowrap px-3 py-2">{candidate.renewTime === null ? '—' : `${formatDuration(Math.max(0, now - candidate.renewTime))} ago`}</td>
                <td className="whitespace-nowrap px-3 py-2">{candidate.isPingPending ? 'pending' : candidate.pingAnsweredMs !== null ? `answered in ${formatDuration(candidate.pingAnsweredMs)}` : '—'}</td>
                <td className="px-3 py-2" data-testid="candidate-why">
                  {candidate.why}
                </td>
              </tr>
            ))
          )}
        </TableBody>
      </Table>
    </section>
  );
}
