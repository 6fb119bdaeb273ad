'use client';

import type { FailoverContextDto } from '@/lib/api/context-dto';

const hintTone: Record<string, string> = {
  api_server: 'text-amber-700 dark:text-amber-400',
  container_restart: 'text-red-700 dark:text-red-400',
  process: 'text-red-700 dark:text-red-400',
  coordinated_handover: 'text-sky-700 dark:text-sky-400',
  released: 'text-emerald-700 dark:text-emerald-400',
  not_observed: 'text-zinc-600 dark:text-zinc-400',
  no_evidence: 'text-zinc-600 dark:text-zinc-400',
};

const hintLabels: Record<string, string> = {
  api_server: 'API server degraded',
  container_restart: 'container restarted',
  process: 'the process, not the API server',
  coordinated_handover: 'coordinated handover',
  released: 'released',
  not_observed: 'not observed',
  no_evidence: 'no evidence',
};

// The hint, and its evidence one click away (a native disclosure: keyboard and screen readers included).
export function FailoverHintCell({ failover }: { failover: Pick<FailoverContextDto, 'hint' | 'fromPod' | 'toPod' | 'events'> }) {
  const { hint } = failover;
  return (
    <div data-testid="failover-hint" data-kind={hint.kind} className="space-y-1">
      <p className={hintTone[hint.kind] ?? ''}>
        <span className="font-medium">{hintLabels[hint.kind] ?? hint.kind}:</span> {hint.text}
      </p>
      {hint.evidence.length > 0 || failover.fromPod || failover.events.length > 0 ? (
        <details className="text-xs">
          <summary className="cursor-pointer text-zinc-600 underline dark:text-zinc-400">Evidence</summary>
          <ul data-testid="failover-evidence" className="mt-1 list-disc space-y-0.5 pl-4">
            {failover.fromPod ? (
              <li>
                previous holder: pod {failover.fromPod.namespace}/{failover.fromPod.pod}
                {failover.fromPod.nodeName ? ` on node ${failover.fromPod.nodeName}` : ''}
                {failover.fromPod.workload ? ` (${failover.fromPod.workload.kind} ${failover.fromPod.workload.name})` : ''}
              </li>
            ) : null}
            {failover.toPod ? (
              <li>
                new holder: pod {failover.toPod.namespace}/{failover.toPod.pod}
                {failover.toPod.nodeName ? ` on node ${failover.toPod.nodeName}` : ''}
              </li>
            ) : null}
            {hint.evidence.map((evidence, index) => (
              <li key={`${evidence.type}-${evidence.id ?? index}`} data-evidence={evidence.type}>
                {evidence.text}
              </li>
            ))}
            {failover.events.map((event) => (
              <li key={`event-${event.id}`} data-evidence="event">
                Event {event.reason} on {event.involvedKind === 'Pod' ? `pod ${event.involvedName}` : `lease ${event.involvedName}`} at {new Date(event.lastAt).toISOString()}
                {event.count > 1 ? ` (×${event.count})` : ''}: {event.message}
                {event.deletedAt !== null ? ' — kept after the API server deleted it' : ''}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  );
}
