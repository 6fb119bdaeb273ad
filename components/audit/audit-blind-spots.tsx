import { TimeText } from '@/components/ui/time-text';
import type { GapDto } from '@/lib/api/dto';
import { formatDuration } from '@/lib/ui/format';
import { gapReasonLabels } from '@/lib/ui/gap-reasons';


// First on the page and hard to miss: an audit that hides its own blind spots misleads.
export function AuditBlindSpots({ gaps, hasMore, from, to }: { gaps: GapDto[]; hasMore: boolean; from: number; to: number }) {
  if (gaps.length === 0) {
    return (
      <section aria-labelledby="blind-spots-heading" className="rounded-lg border border-zinc-200 px-4 py-2 text-sm dark:border-zinc-800">
        <h2 id="blind-spots-heading" className="inline font-semibold">
          Blind spots:
        </h2>{' '}
        <span className="text-zinc-600 dark:text-zinc-400">none — every cluster was watched for the whole window.</span>
      </section>
    );
  }
  const blindMs = (gap: GapDto) => Math.min(to, gap.endedAt ? Date.parse(gap.endedAt) : to) - Math.max(from, Date.parse(gap.startedAt));
  return (
    <section aria-labelledby="blind-spots-heading" className="rounded-lg border-2 border-amber-400 bg-amber-50 px-4 py-3 text-sm text-amber-950 dark:border-amber-600 dark:bg-amber-950/50 dark:text-amber-100">
      <h2 id="blind-spots-heading" className="font-semibold">
        {gaps.length === 1 ? '1 blind spot' : `${gaps.length} blind spots`} in this window
      </h2>
      <p className="mt-0.5 text-amber-900 dark:text-amber-200">
        Leasetrail was not watching these clusters then: failovers inside a blind spot are unknown, counted only as missed changes.
      </p>
      <ul className="mt-2 space-y-1">
        {gaps.map((gap) => (
          <li key={gap.id} className="flex flex-wrap gap-x-3">
            <span className="font-medium">{gap.cluster}</span>
            <span>
              <TimeText value={gap.startedAt} /> → {gap.endedAt ? <TimeText value={gap.endedAt} /> : <strong>still blind</strong>}
            </span>
            <span className="tabular-nums">{formatDuration(blindMs(gap))} of the window</span>
            <span>{gapReasonLabels[gap.reason] ?? gap.reason}</span>
          </li>
        ))}
      </ul>
      {hasMore ? <p className="mt-1 font-medium">More blind spots exist than are listed: narrow the window.</p> : null}
    </section>
  );
}
