'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCan } from '@/components/auth/viewer-context';
import { TimeText } from '@/components/ui/time-text';
import { useDraftForm } from '@/components/ui/use-draft-form';
import type { SilenceDto } from '@/lib/api/silence-dto';
import { alertKeys, buttonClass, inputClass, primaryButtonClass, requestJson } from './api';

type Draft = { cluster: string; namespace: string; lease: string; rule: string; startsAt: string; endsAt: string; comment: string };

// datetime-local speaks the browser's local time without a zone; the API wants an instant.
const toLocalInput = (ms: number) => {
  const date = new Date(ms);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const fromLocalInput = (value: string) => (value ? new Date(value).toISOString() : undefined);

function emptyDraft(): Draft {
  const now = Date.now();
  return { cluster: '*', namespace: '*', lease: '*', rule: '*', startsAt: toLocalInput(now), endsAt: toLocalInput(now + 2 * 3_600_000), comment: '' };
}

const stateStyles = {
  active: 'bg-zinc-200 text-zinc-800 dark:bg-zinc-800 dark:text-zinc-200',
  pending: 'bg-amber-100 text-amber-900 dark:bg-amber-950 dark:text-amber-300',
  expired: 'text-zinc-500',
} as const;

function SilenceForm({ onDone }: { onDone: () => void }) {
  const { draft, set, mutation: create, submit } = useDraftForm(
    emptyDraft,
    (sent: Draft) =>
      requestJson('/api/silences', {
        method: 'POST',
        body: {
          matchers: { cluster: sent.cluster, namespace: sent.namespace, lease: sent.lease, rule: sent.rule },
          startsAt: fromLocalInput(sent.startsAt),
          endsAt: fromLocalInput(sent.endsAt) ?? '',
          comment: sent.comment,
        },
      }),
    onDone,
  );
  const field = (name: keyof Draft, label: string, hint: string) => (
    <label className="block text-sm">
      <span className="font-medium">{label}</span>
      <input className={`${inputClass} mt-1 font-mono`} value={draft[name]} onChange={(event) => set({ [name]: event.target.value })} aria-describedby={`silence-${name}-hint`} />
      <span id={`silence-${name}-hint`} className="text-xs text-zinc-600 dark:text-zinc-400">
        {hint}
      </span>
    </label>
  );
  return (
    <form onSubmit={submit} aria-label="New silence" className="space-y-3 rounded-lg border border-zinc-200 p-4 dark:border-zinc-800">
      <h2 className="text-sm font-semibold">New silence</h2>
      <div className="grid gap-3 sm:grid-cols-4">
        {field('cluster', 'Cluster', 'glob, e.g. prod-*')}
        {field('namespace', 'Namespace', 'glob, e.g. kube-system')}
        {field('lease', 'Lease', 'glob, e.g. kube-*')}
        {field('rule', 'Rule', 'rule name glob')}
      </div>
      <div className="grid gap-3 sm:grid-cols-2">
        <label className="block text-sm">
          <span className="font-medium">Starts</span>
          <input type="datetime-local" className={`${inputClass} mt-1`} value={draft.startsAt} onChange={(event) => set({ startsAt: event.target.value })} />
        </label>
        <label className="block text-sm">
          <span className="font-medium">Ends</span>
          <input type="datetime-local" className={`${inputClass} mt-1`} value={draft.endsAt} onChange={(event) => set({ endsAt: event.target.value })} />
        </label>
      </div>
      <label className="block text-sm">
        <span className="font-medium">Comment</span>
        <input className={`${inputClass} mt-1`} value={draft.comment} onChange={(event) => set({ comment: event.target.value })} placeholder="why, e.g. control plane upgrade CHG-1234" />
      </label>
      {create.error ? (
        <p role="alert" className="text-sm text-red-700">
          {create.error.message}
        </p>
      ) : null}
      <button type="submit" className={primaryButtonClass} disabled={create.isPending}>
        Create silence
      </button>
    </form>
  );
}

// Alertmanager-style silences: by matcher, ahead of time, covering alerts that do not exist yet.
export function SilenceList() {
  const canEdit = useCan('editor');
  const queryClient = useQueryClient();
  const silences = useQuery({ queryKey: alertKeys.silences, queryFn: () => requestJson<{ silences: SilenceDto[] }>('/api/silences?limit=200'), refetchInterval: 10_000 });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: alertKeys.silences });
  const expire = useMutation({ mutationFn: (id: number) => requestJson(`/api/silences/${id}/expire`, { method: 'POST' }), onSuccess: refresh });
  const rows = silences.data?.silences ?? [];
  return (
    <div className="space-y-4">
      {canEdit ? <SilenceForm onDone={refresh} /> : null}
      {expire.error ? (
        <p role="alert" className="text-sm text-red-700">
          {expire.error.message}
        </p>
      ) : null}
      {rows.length === 0 ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">{silences.isFetching ? 'Loading…' : 'No silence yet.'}</p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
          <table className="w-full text-left text-sm" aria-label="Silences">
            <thead className="bg-zinc-50 text-xs text-zinc-600 dark:bg-zinc-900 dark:text-zinc-400">
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">State</th>
                <th scope="col" className="px-3 py-2 font-medium">Matchers</th>
                <th scope="col" className="px-3 py-2 font-medium">Starts</th>
                <th scope="col" className="px-3 py-2 font-medium">Ends</th>
                <th scope="col" className="px-3 py-2 font-medium">Comment</th>
                <th scope="col" className="px-3 py-2 font-medium">By</th>
                <th scope="col" className="px-3 py-2 font-medium"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
              {rows.map((silence) => (
                <tr key={silence.id} className="align-top">
                  <td className="px-3 py-2">
                    <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${stateStyles[silence.state]}`}>{silence.state}</span>
                  </td>
                  <td className="px-3 py-2 font-mono text-xs">
                    cluster={silence.matchers.cluster} namespace={silence.matchers.namespace} lease={silence.matchers.lease} rule={silence.matchers.rule}
                  </td>
                  <td className="px-3 py-2 text-xs whitespace-nowrap">
                    <TimeText value={silence.startsAt} date />
                  </td>
                  <td className="px-3 py-2 text-xs whitespace-nowrap">
                    <TimeText value={silence.expiredAt ?? silence.endsAt} date />
                    {silence.expiredBy ? <span className="block text-zinc-600 dark:text-zinc-400">expired by {silence.expiredBy}</span> : null}
                  </td>
                  <td className="px-3 py-2 text-xs">{silence.comment}</td>
                  <td className="px-3 py-2 text-xs">{silence.createdBy}</td>
                  <td className="px-3 py-2 text-right">
                    {canEdit && silence.state !== 'expired' ? (
                      <button type="button" className={buttonClass} onClick={() => expire.mutate(silence.id)} disabled={expire.isPending} aria-label={`Expire silence ${silence.id}`}>
                        Expire
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
