import Link from 'next/link';
import { TimeText } from '@/components/ui/time-text';
import type { BurstDto } from '@/lib/api/audit-dto';
import { formatDuration, plural } from '@/lib/ui/format';
import { leaseHref } from '@/lib/ui/links';

export function burstLabel(burst: BurstDto): string {
  const span = burst.spanMs === 0 ? 'at the same moment' : `within ${formatDuration(burst.spanMs)}`;
  return `${plural(burst.count, 'failover')} in ${plural(burst.clusters.length, 'cluster')} ${span}`;
}

// Namespaces and names never hold a slash; a cluster (a kubeconfig context, an EKS ARN) may.
function leaseOf(key: string) {
  const parts = key.split('/');
  const name = parts.pop() ?? '';
  const namespace = parts.pop() ?? '';
  return { cluster: parts.join('/'), namespace, name };
}

export function AuditBursts({ bursts, burstSeconds, onZoom }: { bursts: BurstDto[]; burstSeconds: number; onZoom: (from: number, to: number) => void }) {
  return (
    <section aria-labelledby="bursts-heading" className="space-y-2">
      <h2 id="bursts-heading" className="text-sm font-semibold">
        Bursts <span className="font-normal text-zinc-600 dark:text-zinc-400">· failovers at most {burstSeconds} s apart, largest first</span>
      </h2>
      {bursts.length === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">No burst: no two failovers came that close together.</p>
      ) : (
        <ol className="space-y-2">
          {bursts.map((burst) => {
            const isShared = burst.clusters.length > 1;
            return (
              <li
                key={burst.start}
                data-testid="burst"
                className={`rounded-lg border px-3 py-2 text-sm ${isShared ? 'border-red-300 dark:border-red-800' : 'border-zinc-200 dark:border-zinc-800'}`}
              >
                <div className="flex flex-wrap items-baseline gap-x-3">
                  <strong>{burstLabel(burst)}</strong>
                  <span className="text-zinc-600 dark:text-zinc-400">
                    <TimeText value={burst.start} /> → <TimeText value={burst.end} date={false} />
                  </span>
                  {isShared ? <span className="text-xs text-red-700 dark:text-red-400">across clusters: look for a shared cause</span> : null}
                  <button
                    type="button"
                    onClick={() => onZoom(Date.parse(burst.start) - 30_000, Date.parse(burst.end) + 30_000)}
                    className="ml-auto text-xs text-sky-700 hover:underline dark:text-sky-400"
                  >
                    Zoom to burst
                  </button>
                </div>
                <ul className="mt-1 flex flex-wrap gap-x-3 gap-y-0.5 text-xs">
                  {burst.leases.map((key) => (
                    <li key={key}>
                      <Link href={leaseHref(leaseOf(key), { at: burst.start })} className="font-mono hover:underline">
                        {key}
                      </Link>
                    </li>
                  ))}
                </ul>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
