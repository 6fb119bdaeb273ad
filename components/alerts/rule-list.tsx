'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCan } from '@/components/auth/viewer-context';
import { useState } from 'react';
import type { ChannelDto, RuleDto } from '@/lib/api/alert-dto';
import { ruleKindLabels } from './alert-state-badge';
import { alertKeys, buttonClass, primaryButtonClass, requestJson } from './api';
import { RuleForm } from './rule-form';

function scopeOf(rule: RuleDto): string {
  const parts = rule.kind === 'stale_data' ? [`cluster ${rule.clusterPattern}`] : [`${rule.clusterPattern} / ${rule.namespacePattern}/${rule.namePattern}`];
  if (rule.excludePatterns.length > 0) parts.push(`except ${rule.excludePatterns.join(', ')}`);
  return parts.join(' ');
}

export function RuleList({ rules, channels }: { rules: RuleDto[]; channels: ChannelDto[] }) {
  const canEdit = useCan('editor');
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState<number | 'new' | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: alertKeys.rules });
  const toggle = useMutation({ mutationFn: (rule: RuleDto) => requestJson(`/api/alert-rules/${rule.id}`, { method: 'PATCH', body: { enabled: !rule.enabled } }), onSuccess: refresh });
  const remove = useMutation({ mutationFn: (rule: RuleDto) => requestJson(`/api/alert-rules/${rule.id}`, { method: 'DELETE' }), onSuccess: refresh });
  const channelName = (id: number) => channels.find((channel) => channel.id === id)?.name ?? `#${id}`;

  return (
    <div className="space-y-3">
      <div className="flex items-center justify-between">
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Rules are evaluated on every stored change of leader and on a clock.</p>
        {editing === null && canEdit ? (
          <button type="button" className={primaryButtonClass} onClick={() => setEditing('new')}>
            New rule
          </button>
        ) : null}
      </div>
      {editing === 'new' ? <RuleForm channels={channels} onDone={() => setEditing(null)} /> : null}
      {(toggle.error ?? remove.error) ? (
        <p role="alert" className="text-sm text-red-700">
          {(toggle.error ?? remove.error)?.message}
        </p>
      ) : null}
      {rules.length === 0 && editing === null ? <p className="rounded-lg border border-dashed border-zinc-300 p-6 text-sm text-zinc-600 dark:text-zinc-400 dark:border-zinc-700">No alert rule yet.</p> : null}
      <ul className="space-y-2" aria-label="Alert rules">
        {rules.map((rule) =>
          editing === rule.id ? (
            <li key={rule.id}>
              <RuleForm rule={rule} channels={channels} onDone={() => setEditing(null)} />
            </li>
          ) : (
            <li key={rule.id} className="flex flex-wrap items-start gap-3 rounded-lg border border-zinc-200 p-3 text-sm dark:border-zinc-800">
              <div className="min-w-64 flex-1">
                <p>
                  <span className="font-medium">{rule.name}</span> <span className="text-xs text-zinc-600 dark:text-zinc-400">{ruleKindLabels[rule.kind]}</span>
                  {!rule.enabled ? <span className="ml-2 rounded bg-zinc-200 px-1.5 py-0.5 text-xs dark:bg-zinc-800">disabled</span> : null}
                </p>
                <p className="text-xs text-zinc-600 dark:text-zinc-400">
                  {rule.description} · {scopeOf(rule)} · for {rule.forSeconds} s · quiet {rule.quietSeconds} s
                </p>
                <p className="text-xs text-zinc-600 dark:text-zinc-400">
                  {rule.channelIds.length > 0 ? `notifies ${rule.channelIds.map(channelName).join(', ')}` : 'no channel'} ·{' '}
                  {rule.firingAlerts > 0 ? <span className="font-medium text-red-700 dark:text-red-400">{rule.firingAlerts} firing</span> : `${rule.openAlerts} open`}
                </p>
              </div>
              {canEdit ? (
              <div className="flex gap-1">
                <button type="button" className={buttonClass} onClick={() => toggle.mutate(rule)} disabled={toggle.isPending}>
                  {rule.enabled ? 'Disable' : 'Enable'}
                </button>
                <button type="button" className={buttonClass} onClick={() => setEditing(rule.id)} aria-label={`Edit ${rule.name}`}>
                  Edit
                </button>
                <button
                  type="button"
                  className={buttonClass}
                  aria-label={`Delete ${rule.name}`}
                  onClick={() => {
                    if (window.confirm(`Delete "${rule.name}" and the history of its alerts? Disable it instead to keep them.`)) remove.mutate(rule);
                  }}
                >
                  Delete
                </button>
              </div>
              ) : null}
            </li>
          ),
        )}
      </ul>
    </div>
  );
}
