'use client';

import Link from 'next/link';
import { useMemo } from 'react';
import { useCan } from '@/components/auth/viewer-context';
import { FailoverHintCell } from '@/components/context/failover-hint-cell';
import { useFailoverHints } from '@/components/context/use-failover-hints';
import { EmptyRow, Table, TableBody } from '@/components/ui/table';
import { TimeText } from '@/components/ui/time-text';
import type { AnnotationDto, FailoverDto } from '@/lib/api/audit-dto';
import { failoverCauseLabels } from '@/lib/audit/causes';
import { sortFailovers, type FailoverSortKey } from '@/lib/audit/sort-failovers';
import { formatDuration, shortHolder } from '@/lib/ui/format';
import { leaseHref } from '@/lib/ui/links';

const columns: Array<{ key: FailoverSortKey | null; label: string; numeric?: boolean }> = [
  { key: 'time', label: 'Time' },
  { key: 'cluster', label: 'Cluster' },
  { key: 'lease', label: 'Lease' },
  { key: null, label: 'From → to' },
  { key: 'cause', label: 'Cause' },
  { key: null, label: 'Why' },
  { key: 'leaderless', label: 'Leaderless', numeric: true },
  { key: null, label: 'Overlap', numeric: true },
  { key: null, label: 'Missed', numeric: true },
  { key: null, label: 'Notes' },
];

const causeTone: Record<string, string> = {
  early_takeover: 'font-semibold text-red-700 dark:text-red-400',
  unknown: 'text-orange-700 dark:text-orange-400',
};

export function AuditFailoverTable({
  failovers,
  annotations,
  sort,
  dir,
  onSort,
  onAnnotate,
}: {
  failovers: FailoverDto[];
  annotations: AnnotationDto[];
  sort: FailoverSortKey;
  dir: 'asc' | 'desc';
  onSort: (key: FailoverSortKey) => void;
  onAnnotate: (failover: FailoverDto) => void;
}) {
  const canAnnotate = useCan('editor');
  const sorted = useMemo(() => sortFailovers(failovers, sort, dir), [failovers, sort, dir]);
  const hints = useFailoverHints(sorted.slice(0, 200).flatMap((failover) => (failover.kind === 'acquired' ? [failover.id] : [])));
  const notesOf = useMemo(() => {
    const byTransition = new Map<string, AnnotationDto[]>();
    for (const note of annotations) if (note.transitionId) byTransition.set(note.transitionId, [...(byTransition.get(note.transitionId) ?? []), note]);
    return byTransition;
  }, [annotations]);

  return (
    <Table>
      <thead className="bg-zinc-50 text-xs text-zinc-600 dark:bg-zinc-900 dark:text-zinc-400">
        <tr>
          {columns.map((column) => {
            const isSorted = column.key === sort;
            return (
              <th
                key={column.label}
                scope="col"
                aria-sort={column.key ? (isSorted ? (dir === 'asc' ? 'ascending' : 'descending') : 'none') : undefined}
                className={`px-3 py-2 font-medium ${column.numeric ? 'text-right' : ''}`}
              >
                {column.key ? (
                  <button type="button" className="hover:underline" onClick={() => onSort(column.key!)}>
                    {column.label}
                    {isSorted ? (dir === 'asc' ? ' ↑' : ' ↓') : ''}
                  </button>
                ) : (
                  column.label
                )}
              </th>
            );
          })}
          <th scope="col" className="px-3 py-2">
            <span className="sr-only">Annotate</span>
          </th>
        </tr>
      </thead>
      <TableBody>
        {sorted.map((failover) => {
          const notes = notesOf.get(failover.id) ?? [];
          return (
            <tr key={failover.id} data-testid="failover-row" className={failover.cause === 'early_takeover' ? 'bg-red-50 dark:bg-red-950/40' : 'hover:bg-zinc-50 dark:hover:bg-zinc-900'}>
              <td className="whitespace-nowrap px-3 py-1.5">
                <TimeText value={failover.at} />
              </td>
              <td className="whitespace-nowrap px-3 py-1.5">{failover.cluster}</td>
              <td className="px-3 py-1.5">
                <Link href={leaseHref(failover, { at: failover.at })} className="font-medium hover:underline" title="Open the lease timeline at this moment">
                  {failover.namespace}/{failover.name}
                </Link>
              </td>
              <td className="min-w-64 px-3 py-1.5 font-mono text-xs">
                {failover.kind === 'missed' ? (
                  <span title={failover.toHolder ?? undefined}>still {shortHolder(failover.toHolder)}</span>
                ) : (
                  <>
                    <span title={failover.fromHolder ?? undefined}>{shortHolder(failover.fromHolder)}</span> → <span title={failover.toHolder ?? undefined}>{shortHolder(failover.toHolder)}</span>
                  </>
                )}
                {failover.isRestart ? <span className="ml-2 rounded bg-violet-100 px-1 font-sans text-violet-800 dark:bg-violet-950 dark:text-violet-300">restart</span> : null}
              </td>
              <td className={`px-3 py-1.5 ${causeTone[failover.cause] ?? ''}`}>
                {failover.kind === 'missed' ? 'changes not observed' : failoverCauseLabels[failover.cause]}
              </td>
              <td className="min-w-64 max-w-md px-3 py-1.5 text-xs">{hints.get(failover.id) ? <FailoverHintCell failover={hints.get(failover.id)!} /> : null}</td>
              <td className="px-3 py-1.5 text-right tabular-nums">{formatDuration(failover.leaderlessMs)}</td>
              <td className="px-3 py-1.5 text-right tabular-nums">{formatDuration(failover.overlapMs)}</td>
              <td className="px-3 py-1.5 text-right tabular-nums">{failover.missedCount > 0 ? <span className="text-orange-700 dark:text-orange-400">{failover.missedCount}</span> : '—'}</td>
              <td className="max-w-xs px-3 py-1.5 text-xs">
                {notes.map((note) => (
                  <p key={note.id} className="truncate" title={`${note.author}: ${note.text}`}>
                    <span className="text-zinc-600 dark:text-zinc-400">{note.author}:</span> {note.text}
                  </p>
                ))}
              </td>
              <td className="px-3 py-1.5 text-right">
                {canAnnotate ? (
                <button type="button" onClick={() => onAnnotate(failover)} className="text-xs text-sky-700 hover:underline dark:text-sky-400" aria-label={`Annotate the failover of ${failover.cluster}/${failover.namespace}/${failover.name} at ${failover.at}`}>
                  annotate
                </button>
                ) : null}
              </td>
            </tr>
          );
        })}
        {sorted.length === 0 ? <EmptyRow columns={columns.length + 1}>No failover in this window.</EmptyRow> : null}
      </TableBody>
    </Table>
  );
}
