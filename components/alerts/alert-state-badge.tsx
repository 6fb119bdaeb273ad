import type { AlertDto } from '@/lib/api/alert-dto';

const styles = {
  firing: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300',
  pending: 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-300',
  resolved: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300',
  recovering: 'bg-sky-100 text-sky-900 dark:bg-sky-950 dark:text-sky-300',
} as const;

export function AlertStateBadge({ alert }: { alert: Pick<AlertDto, 'state' | 'isSilenced' | 'silencedBy' | 'acknowledgedAt' | 'firingAt' | 'isRecovering'> }) {
  const shown = alert.isRecovering ? 'recovering' : alert.state;
  const label = alert.state === 'resolved' && alert.firingAt === null ? 'resolved (never fired)' : shown;
  return (
    <span className="inline-flex flex-wrap items-center gap-1">
      <span
        className={`inline-block rounded px-1.5 py-0.5 text-xs font-medium ${styles[shown]}`}
        title={alert.isRecovering ? 'The condition has ended; the alert resolves when the quiet period has passed' : undefined}
      >
        {label}
      </span>
      {alert.isSilenced ? (
        <span className="rounded bg-zinc-200 px-1.5 py-0.5 text-xs text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300">
          {alert.silencedBy !== null && alert.state !== 'resolved' ? `silenced by silence #${alert.silencedBy}` : 'silenced'}
        </span>
      ) : null}
      {alert.acknowledgedAt ? <span className="rounded bg-sky-100 px-1.5 py-0.5 text-xs text-sky-800 dark:bg-sky-950 dark:text-sky-300">acknowledged</span> : null}
    </span>
  );
}

export const ruleKindLabels = { flapping: 'Flapping', leaderless: 'Leaderless', renew_latency: 'Renew latency', stale_data: 'Stale data', heartbeat_gap: 'Heartbeat gap', slo_burn: 'SLO burn rate' } as const;
