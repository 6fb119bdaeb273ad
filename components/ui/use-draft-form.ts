'use client';

import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';

// A form that edits a draft and sends it once: the draft, a setter for some of its fields, the mutation
// (pending, error) and the submit handler. After a successful send the draft starts over and onDone runs.
export function useDraftForm<D extends object, R>(initial: () => D, send: (draft: D) => Promise<R>, onDone: () => void) {
  const [draft, setDraft] = useState<D>(initial);
  const set = (patch: Partial<D>) => setDraft((current) => ({ ...current, ...patch }));
  const mutation = useMutation({
    mutationFn: () => send(draft),
    onSuccess: () => {
      setDraft(initial());
      onDone();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate();
  };
  return { draft, set, mutation, submit };
}
