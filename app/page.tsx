import { StatusDot, type StatusTone } from '@/components/ui/status-dot';
import { getStore } from '@/lib/store/client';
import { listClusters } from '@/lib/store/clusters';

export const dynamic = 'force-dynamic';

const stateTone: Record<string, StatusTone> = { connected: 'good', reconnecting: 'warn', failing: 'bad', pending: 'idle', stopped: 'idle' };

export default async function FleetPage() {
  const clusters = await listClusters(getStore());
  const isSimulated = clusters.length > 0 && clusters.every((cluster) => cluster.source === 'simulated');
  return (
    <div className="space-y-6">
      {isSimulated ? (
        <div role="status" className="rounded-md border border-sky-300 bg-sky-50 px-4 py-2 text-sm text-sky-900 dark:border-sky-800 dark:bg-sky-950 dark:text-sky-100">
          Showing the built-in <strong>simulated fleet</strong>: no kubeconfig context was found. Set <code className="font-mono">KUBECONFIG</code> to
          watch your own clusters.
        </div>
      ) : null}
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Fleet</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
          Leader-election history of every Lease in your clusters: who led, when leadership moved, and how long nobody led.
        </p>
      </div>
      {clusters.length === 0 ? (
        <section aria-labelledby="no-clusters" className="rounded-lg border border-dashed border-zinc-300 p-6 dark:border-zinc-700">
          <h2 id="no-clusters" className="font-medium">
            No clusters watched yet
          </h2>
          <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
            Leasetrail watches the contexts of your kubeconfig (<code className="font-mono">KUBECONFIG</code> or{' '}
            <code className="font-mono">~/.kube/config</code>) or the cluster it runs in. Without any, it starts a simulated fleet.
          </p>
        </section>
      ) : (
        <section aria-label="Clusters">
          <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
            {clusters.map((cluster) => (
              <li key={cluster.name} className="rounded-lg border border-zinc-200 p-4 dark:border-zinc-800">
                <div className="flex items-center gap-2">
                  <StatusDot tone={stateTone[cluster.state] ?? 'idle'} label={cluster.state} />
                  <span className="font-medium">{cluster.name}</span>
                  <span className="ml-auto text-xs text-zinc-500">{cluster.source}</span>
                </div>
                <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
                  {cluster.leaseCount} leases · {cluster.state}
                  {cluster.stateReason ? ` · ${cluster.stateReason}` : ''}
                </p>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
