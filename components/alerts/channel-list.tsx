'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCan } from '@/components/auth/viewer-context';
import { useState } from 'react';
import { TimeText } from '@/components/ui/time-text';
import type { ChannelDto } from '@/lib/api/alert-dto';
import { alertKeys, buttonClass, primaryButtonClass, requestJson } from './api';
import { ChannelForm } from './channel-form';

type TestResult = { delivered: true; status: number; durationMs: number };

function TestButton({ channel }: { channel: ChannelDto }) {
  const test = useMutation({ mutationFn: () => requestJson<TestResult>(`/api/channels/${channel.id}/test`, { method: 'POST' }) });
  return (
    <span className="inline-flex flex-wrap items-center gap-2">
      <button type="button" className={buttonClass} onClick={() => test.mutate()} disabled={test.isPending} aria-label={`Send test to ${channel.name}`}>
        {test.isPending ? 'Sending…' : 'Send test'}
      </button>
      <span role="status" aria-label={`Test result for ${channel.name}`} className="text-xs">
        {test.data ? <span className="text-emerald-700 dark:text-emerald-400">Delivered (HTTP {test.data.status}, {test.data.durationMs} ms)</span> : null}
        {test.error ? <span className="text-red-700 dark:text-red-400">{test.error.message}</span> : null}
      </span>
    </span>
  );
}

function Deliveries({ channel }: { channel: ChannelDto }) {
  const { delivered, pending, retrying, failed, lastFailure } = channel.deliveries;
  return (
    <div className="text-xs">
      <p className="tabular-nums text-zinc-600 dark:text-zinc-400">
        {delivered} delivered · {pending} queued
        {retrying > 0 ? <span className="text-amber-700 dark:text-amber-400"> · {retrying} retrying</span> : null}
        {failed > 0 ? <span className="font-medium text-red-700 dark:text-red-400"> · {failed} failed</span> : null}
      </p>
      {lastFailure ? (
        <p className="mt-1 break-all text-red-700 dark:text-red-400">
          Last failure{lastFailure.at ? (
            <>
              {' '}
              <TimeText value={lastFailure.at} />
            </>
          ) : null}{' '}
          ({lastFailure.event} of alert {lastFailure.alertId}, attempt {lastFailure.attempts}{lastFailure.status === 'pending' ? ', will retry' : ', gave up'}): {lastFailure.error}
        </p>
      ) : null}
    </div>
  );
}

export function ChannelList({ channels }: { channels: ChannelDto[] }) {
  const canAdmin = useCan('admin');
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<number | 'new' | null>(null);
  const remove = useMutation({
    mutationFn: (channel: ChannelDto) => requestJson(`/api/channels/${channel.id}`, { method: 'DELETE' }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: alertKeys.channels }),
  });

  return (
    <div className="space-y-3">
      <div className="flex items-center justify-between">
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Where alerts go. Failed deliveries are retried with backoff and shown here.</p>
        {editing === null && canAdmin ? (
          <button type="button" className={primaryButtonClass} onClick={() => setEditing('new')}>
            New channel
          </button>
        ) : null}
      </div>
      {editing === 'new' ? <ChannelForm onDone={() => setEditing(null)} /> : null}
      {remove.error ? (
        <p role="alert" className="text-sm text-red-700">
          {remove.error.message}
        </p>
      ) : null}
      {channels.length === 0 && editing === null ? <p className="rounded-lg border border-dashed border-zinc-300 p-6 text-sm text-zinc-600 dark:text-zinc-400 dark:border-zinc-700">No channel yet.</p> : null}
      <ul className="space-y-2" aria-label="Notification channels">
        {channels.map((channel) =>
          editing === channel.id ? (
            <li key={channel.id}>
              <ChannelForm channel={channel} onDone={() => setEditing(null)} />
            </li>
          ) : (
            <li key={channel.id} className="space-y-2 rounded-lg border border-zinc-200 p-3 text-sm dark:border-zinc-800">
              <div className="flex flex-wrap items-start gap-3">
                <div className="min-w-64 flex-1">
                  <p>
                    <span className="font-medium">{channel.name}</span> <span className="text-xs text-zinc-600 dark:text-zinc-400">{channel.kind}</span>
                    {!channel.enabled ? <span className="ml-2 rounded bg-zinc-200 px-1.5 py-0.5 text-xs dark:bg-zinc-800">disabled</span> : null}
                  </p>
                  <p className="font-mono text-xs break-all text-zinc-600 dark:text-zinc-400">{channel.config ? String(channel.config.url) : `invalid configuration: ${channel.configError}`}</p>
                </div>
                {canAdmin ? (
                <div className="flex flex-wrap items-center gap-1">
                  <TestButton channel={channel} />
                  <button type="button" className={buttonClass} onClick={() => setEditing(channel.id)} aria-label={`Edit ${channel.name}`}>
                    Edit
                  </button>
                  <button
                    type="button"
                    className={buttonClass}
                    aria-label={`Delete ${channel.name}`}
                    onClick={() => {
                      if (window.confirm(`Delete channel "${channel.name}"? Its delivery history goes with it.`)) remove.mutate(channel);
                    }}
                  >
                    Delete
                  </button>
                </div>
                ) : null}
              </div>
              <Deliveries channel={channel} />
            </li>
          ),
        )}
      </ul>
    </div>
  );
}
