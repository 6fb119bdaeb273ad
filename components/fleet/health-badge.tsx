import type { LeaseHealth } from '@/lib/leases/health';

const styles: Record<LeaseHealth, string> = {
  healthy: 'bg-emerald-100 text-emerald-800 dark:bg-emerald-950 dark:text-emerald-300',
  near_expiry: 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-300',
  leaderless: 'bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300',
  flapping: 'bg-fuchsia-100 text-fuchsia-800 dark:bg-fuchsia-950 dark:text-fuchsia-300',
  stale: 'bg-zinc-200 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300',
};

export const healthLabels: Record<LeaseHealth, string> = {
  healthy: 'healthy',
  near_expiry: 'near expiry',
  leaderless: 'leaderless',
  flapping: 'flapping',
  stale: 'stale data',
};

export function HealthBadge({ health }: { health: LeaseHealth }) {
  return <span className={`inline-block rounded px-1.5 py-0.5 text-xs font-medium ${styles[health]}`}>{healthLabels[health]}</span>;
}
