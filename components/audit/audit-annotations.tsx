'use client';

import { useEffect, useRef, useState } from 'react';
import { useCan } from '@/components/auth/viewer-context';
import { fieldClass } from '@/components/ui/select';
import type { AnnotationDto, AnnotationResponse, FailoverDto } from '@/lib/api/audit-dto';
import { formatTime, type TimeZoneMode } from '@/lib/ui/format';
import { AnnotationList } from './annotation-list';

export type AnnotationTarget = { type: 'window' } | { type: 'failover'; failover: FailoverDto };

async function postAnnotation(body: Record<string, unknown>): Promise<AnnotationResponse> {
  const response = await fetch('/api/annotations', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await response.json().catch(() => ({}))) as AnnotationResponse & { error?: string };
  if (!response.ok) throw new Error(answer.error ?? `request failed with ${response.status}`);
  return answer;
}

export function AuditAnnotations({
  annotations,
  hasMore,
  target,
  range,
  cluster,
  mode,
  onClearTarget,
  onCreated,
}: {
  annotations: AnnotationDto[];
  hasMore: boolean;
  target: AnnotationTarget;
  range: { from: number; to: number };
  cluster: string;
  mode: TimeZoneMode;
  onClearTarget: () => void;
  onCreated: () => void;
}) {
  const canAnnotate = useCan('editor');
  const [text, setText] = useState('');
  const [status, setStatus] = useState<{ type: 'idle' | 'saving' | 'saved' } | { type: 'error'; message: string }>({ type: 'idle' });
  const textRef = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    if (target.type !== 'failover') return;
    textRef.current?.focus();
    textRef.current?.scrollIntoView({ block: 'center' });
  }, [target]);

  const describeTarget =
    target.type === 'failover'
      ? `the failover of ${target.failover.namespace}/${target.failover.name} in ${target.failover.cluster} at ${formatTime(target.failover.at, mode)}`
      : `this window${cluster ? ` in ${cluster}` : ''} (${formatTime(range.from, mode)} → ${formatTime(range.to, mode)})`;

  const submit = async () => {
    setStatus({ type: 'saving' });
    const where =
      target.type === 'failover'
        ? { at: target.failover.at, transitionId: target.failover.id }
        : { at: new Date(range.from).toISOString(), endAt: new Date(range.to).toISOString(), ...(cluster ? { cluster } : {}) };
    try {
      await postAnnotation({ text, ...where });
      setText('');
      setStatus({ type: 'saved' });
      onClearTarget();
      onCreated();
    } catch (error) {
      setStatus({ type: 'error', message: (error as Error).message });
    }
  };

  return (
    <section aria-labelledby="annotations-heading" className="space-y-3">
      <h2 id="annotations-heading" className="text-sm font-semibold">
        Annotations
      </h2>
      <AnnotationList annotations={annotations} emptyText="No note on this window yet." />
      {hasMore ? <p className="text-xs text-amber-700 dark:text-amber-400">More notes exist than are listed: narrow the window.</p> : null}
      {canAnnotate ? (
        <form
          aria-label="Add a note"
          className="space-y-2 rounded-lg border border-zinc-200 p-3 dark:border-zinc-800"
          onSubmit={(event) => {
            event.preventDefault();
            void submit();
          }}
        >
          <p className="text-sm">
            Note on <span className="font-medium">{describeTarget}</span>
            {target.type === 'failover' ? (
              <button type="button" onClick={onClearTarget} className="ml-2 text-xs text-sky-700 hover:underline dark:text-sky-400">
                note the window instead
              </button>
            ) : (
              <span className="ml-2 text-xs text-zinc-600 dark:text-zinc-400">(or pick “annotate” on a failover)</span>
            )}
          </p>
          <div className="flex flex-wrap gap-2">
            <label className="flex min-w-64 flex-1 flex-col text-xs text-zinc-600 dark:text-zinc-400">
              Note
              <textarea
                ref={textRef}
                value={text}
                onChange={(event) => setText(event.target.value)}
                required
                maxLength={2_000}
                rows={2}
                className={`text-zinc-900 dark:text-zinc-100 ${fieldClass}`}
              />
            </label>
          </div>
          <div className="flex items-center gap-3">
            <button
              type="submit"
              disabled={status.type === 'saving'}
              className="rounded-md bg-zinc-900 px-3 py-1 text-sm text-white hover:bg-zinc-700 disabled:opacity-50 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300"
            >
              Add note
            </button>
            <span aria-live="polite" className="text-sm">
              {status.type === 'saving' ? 'Saving…' : status.type === 'saved' ? 'Note added.' : null}
            </span>
            {status.type === 'error' ? (
              <span role="alert" className="text-sm text-red-600 dark:text-red-400">
                Could not add the note: {status.message}
              </span>
            ) : null}
          </div>
        </form>
      ) : null}
    </section>
  );
}
