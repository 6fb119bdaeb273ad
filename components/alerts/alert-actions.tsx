'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { AlertDto } from '@/lib/api/alert-dto';
import { useCan } from '@/components/auth/viewer-context';
import { buttonClass, inputClass, requestJson } from './api';

const silenceChoices = [
  { label: '1 hour', ms: 3_600_000 },
  { label: '4 hours', ms: 4 * 3_600_000 },
  { label: '24 hours', ms: 24 * 3_600_000 },
  { label: '7 days', ms: 7 * 24 * 3_600_000 },
];

export function AlertActions({ alert }: { alert: AlertDto }) {
  const canEdit = useCan('editor');
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<'none' | 'ack' | 'silence'>('none');
  const [note, setNote] = useState('');
  const [silenceMs, setSilenceMs] = useState(silenceChoices[0]!.ms);

  const done = () => {
    setMode('none');
    setNote('');
    void queryClient.invalidateQueries({ queryKey: ['alerts'] });
  };
  const acknowledge = useMutation({
    mutationFn: () => requestJson(`/api/alerts/${alert.id}/ack`, { method: 'POST', body: { note } }),
    onSuccess: done,
  });
  const silence = useMutation({
    mutationFn: () =>
      requestJson(`/api/alerts/${alert.id}/silence`, { method: 'POST', body: { until: new Date(Date.now() + silenceMs).toISOString(), note: note || undefined } }),
    onSuccess: done,
  });
  const lift = useMutation({ mutationFn: () => requestJson(`/api/alerts/${alert.id}/silence`, { method: 'DELETE' }), onSuccess: done });
  const error = acknowledge.error ?? silence.error ?? lift.error;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (mode === 'ack') acknowledge.mutate();
    if (mode === 'silence') silence.mutate();
  };

  if (!canEdit) return null;
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap gap-1">
        {alert.state !== 'resolved' ? (
          <button type="button" className={buttonClass} onClick={() => setMode(mode === 'ack' ? 'none' : 'ack')} aria-expanded={mode === 'ack'}>
            Acknowledge
          </button>
        ) : null}
        {alert.isSilenced ? (
          <button type="button" className={buttonClass} onClick={() => lift.mutate()} disabled={lift.isPending}>
            Lift silence
          </button>
        ) : (
          <button type="button" className={buttonClass} onClick={() => setMode(mode === 'silence' ? 'none' : 'silence')} aria-expanded={mode === 'silence'}>
            Silence
          </button>
        )}
      </div>
      {mode !== 'none' ? (
        <form onSubmit={submit} className="grid gap-2 rounded-md border border-zinc-200 p-2 sm:grid-cols-[1fr_10rem_auto] dark:border-zinc-800" aria-label={mode === 'ack' ? 'Acknowledge alert' : 'Silence alert'}>
          <label className="text-xs">
            {mode === 'ack' ? 'Note (required)' : 'Note'}
            <input className={inputClass} value={note} onChange={(event) => setNote(event.target.value)} required={mode === 'ack'} placeholder={mode === 'ack' ? 'What are you doing about it?' : 'Why?'} />
          </label>
          {mode === 'silence' ? (
            <label className="text-xs">
              For
              <select className={inputClass} value={silenceMs} onChange={(event) => setSilenceMs(Number(event.target.value))}>
                {silenceChoices.map((choice) => (
                  <option key={choice.ms} value={choice.ms}>
                    {choice.label}
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <span />
          )}
          <button type="submit" className={`${buttonClass} self-end`} disabled={acknowledge.isPending || silence.isPending}>
            {mode === 'ack' ? 'Save acknowledgement' : 'Silence'}
          </button>
        </form>
      ) : null}
      {error ? (
        <p role="alert" className="text-xs text-red-700 dark:text-red-400">
          {error.message}
        </p>
      ) : null}
    </div>
  );
}
