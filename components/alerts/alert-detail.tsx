'use client';

import { useQuery } from '@tanstack/react-query';
import { TimeText } from '@/components/ui/time-text';
import type { AlertDetailDto } from '@/lib/api/alert-dto';
import { alertKeys, requestJson } from './api';

const statusStyles = { delivered: 'text-emerald-700 dark:text-emerald-400', pending: 'text-amber-700 dark:text-amber-400', failed: 'text-red-700 dark:text-red-400' } as const;

// The history of one alert and where its notifications went.
export function AlertDetail({ id }: { id: string }) {
  const { data, error } = useQuery({
    queryKey: alertKeys.detail(id),
    queryFn: () => requestJson<{ alert: AlertDetailDto }>(`/api/alerts/${id}`),
    refetchInterval: 5_000,
  });
  if (error) return <p className="text-xs text-red-700">Could not load the alert: {error.message}</p>;
  if (!data) return <p className="text-xs text-zinc-600 dark:text-zinc-400">Loading…</p>;
  const { alert } = data;
  return (
    <div className="grid gap-4 text-xs md:grid-cols-2">
      <section aria-label="Alert history">
        <h4 className="mb-1 font-semibold">History</h4>
        <ol className="space-y-1">
          {alert.events.map((event) => (
            <li key={event.id} className="flex gap-2">
              <TimeText value={event.at} />
              <span className="font-medium">{event.fromState === event.toState ? event.toState : `${event.fromState ?? 'new'} → ${event.toState}`}</span>
              {event.note ? <span className="text-zinc-600 dark:text-zinc-400">{event.note}</span> : null}
            </li>
          ))}
        </ol>
        {alert.ackNote ? (
          <p className="mt-2">
            Acknowledged by <strong>{alert.acknowledgedBy}</strong>: {alert.ackNote}
          </p>
        ) : null}
      </section>
      <section aria-label="Notifications">
        <h4 className="mb-1 font-semibold">Notifications</h4>
        {alert.notifications.length === 0 ? (
          <p className="text-zinc-600 dark:text-zinc-400">None: the rule has no channel, the alert never fired, or it was silenced.</p>
        ) : (
          <table className="w-full text-left">
            <thead className="text-zinc-600 dark:text-zinc-400">
              <tr>
                <th className="pr-2 font-medium">Channel</th>
                <th className="pr-2 font-medium">Event</th>
                <th className="pr-2 font-medium">Status</th>
                <th className="pr-2 font-medium">Attempts</th>
                <th className="font-medium">Detail</th>
              </tr>
            </thead>
            <tbody>
              {alert.notifications.map((notification) => (
                <tr key={notification.id} className="align-top">
                  <td className="pr-2">{notification.channelName}</td>
                  <td className="pr-2">{notification.event}</td>
                  <td className={`pr-2 font-medium ${statusStyles[notification.status]}`}>{notification.status === 'pending' && notification.lastError ? 'retrying' : notification.status}</td>
                  <td className="pr-2 tabular-nums">{notification.attempts}</td>
                  <td>
                    {notification.deliveredAt ? <TimeText value={notification.deliveredAt} /> : null}
                    {notification.lastError ? <span className="block break-all text-red-700 dark:text-red-400">{notification.lastError}</span> : null}
                    {notification.status === 'pending' && notification.nextAttemptAt ? (
                      <span className="block text-zinc-600 dark:text-zinc-400">
                        next attempt <TimeText value={notification.nextAttemptAt} />
                      </span>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
