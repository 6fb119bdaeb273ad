'use client';

import Link from 'next/link';
import { Fragment, useState } from 'react';
import { TimeText } from '@/components/ui/time-text';
import type { AlertDto } from '@/lib/api/alert-dto';
import { formatDuration } from '@/lib/ui/format';
import { leaseHref } from '@/lib/ui/links';
import { AlertActions } from './alert-actions';
import { AlertDetail } from './alert-detail';
import { AlertStateBadge, ruleKindLabels } from './alert-state-badge';
import { buttonClass } from './api';

function Subject({ alert }: { alert: AlertDto }) {
  const { cluster, namespace, name } = alert.subject;
  if (namespace === null || name === null) return <span>cluster {cluster}</span>;
  return (
    <Link href={leaseHref({ cluster, namespace, name })} className="font-medium hover:underline">
      {cluster} / {namespace}/{name}
    </Link>
  );
}

function Deliveries({ alert }: { alert: AlertDto }) {
  const { delivered, pending, failed } = alert.deliveries;
  if (delivered + pending + failed === 0) return <span className="text-zinc-400">—</span>;
  return (
    <span className="tabular-nums">
      {delivered} sent
      {pending > 0 ? <span className="text-amber-700 dark:text-amber-400"> · {pending} pending</span> : null}
      {failed > 0 ? <span className="font-medium text-red-700 dark:text-red-400"> · {failed} failed</span> : null}
    </span>
  );
}

// The condition's own span first (what happened), then how long the alert stayed open around it.
function Lasted({ alert }: { alert: AlertDto }) {
  if (!alert.resolvedAt) return <span>open</span>;
  const alertMs = Date.parse(alert.resolvedAt) - Date.parse(alert.firingAt ?? alert.startedAt);
  if (!alert.conditionSince || !alert.conditionEndedAt) return <span>alert {formatDuration(alertMs)}</span>;
  return (
    <span>
      condition {formatDuration(Date.parse(alert.conditionEndedAt) - Date.parse(alert.conditionSince))}
      <span className="block text-zinc-600 dark:text-zinc-400">alert {formatDuration(alertMs)}</span>
      {alert.endedBy ? <span className="block text-zinc-600 dark:text-zinc-400">ended by: {alert.endedBy}</span> : null}
    </span>
  );
}

export function AlertTable({ alerts, mode, label }: { alerts: AlertDto[]; mode: 'open' | 'history'; label: string }) {
  const [expanded, setExpanded] = useState<string | null>(null);
  return (
    <div className="relative overflow-x-auto rounded-lg border border-zinc-200 dark:border-zinc-800">
      <table className="w-full text-left text-sm" aria-label={label}>
        <thead className="bg-zinc-50 text-xs text-zinc-600 dark:bg-zinc-900 dark:text-zinc-400">
          <tr>
            <th scope="col" className="px-3 py-2 font-medium">State</th>
            <th scope="col" className="px-3 py-2 font-medium">Rule</th>
            <th scope="col" className="px-3 py-2 font-medium">Subject</th>
            <th scope="col" className="px-3 py-2 font-medium">Summary</th>
            <th scope="col" className="px-3 py-2 font-medium">{mode === 'open' ? 'Since' : 'Started'}</th>
            <th scope="col" className="px-3 py-2 font-medium">{mode === 'open' ? 'Notifications' : 'Lasted'}</th>
            <th scope="col" className="px-3 py-2 font-medium"><span className="sr-only">Actions</span></th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
          {alerts.map((alert) => (
            <Fragment key={alert.id}>
              <tr className="align-top">
                <td className="px-3 py-2">
                  <AlertStateBadge alert={alert} />
                </td>
                <td className="px-3 py-2">
                  <span className="font-medium">{alert.ruleName}</span>
                  <span className="block text-xs text-zinc-600 dark:text-zinc-400">{ruleKindLabels[alert.ruleKind]}</span>
                </td>
                <td className="px-3 py-2">
                  <Subject alert={alert} />
                </td>
                <td className="max-w-md px-3 py-2 text-xs text-zinc-700 dark:text-zinc-300">{alert.summary}</td>
                <td className="px-3 py-2 text-xs whitespace-nowrap">
                  <TimeText value={alert.firingAt ?? alert.startedAt} />
                </td>
                <td className="px-3 py-2 text-xs">
                  {mode === 'open' ? <Deliveries alert={alert} /> : <Lasted alert={alert} />}
                </td>
                <td className="px-3 py-2 text-right">
                  <button
                    type="button"
                    className={buttonClass}
                    aria-expanded={expanded === alert.id}
                    aria-label={`Details of ${alert.ruleName} on ${alert.subjectKey}`}
                    onClick={() => setExpanded(expanded === alert.id ? null : alert.id)}
                  >
                    Details
                  </button>
                </td>
              </tr>
              {expanded === alert.id ? (
                <tr>
                  <td colSpan={7} className="space-y-3 bg-zinc-50 px-3 py-3 dark:bg-zinc-900">
                    <AlertActions alert={alert} />
                    <AlertDetail id={alert.id} />
                  </td>
                </tr>
              ) : null}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}
