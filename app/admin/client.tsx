'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { buttonClass, inputClass, primaryButtonClass, requestJson } from '@/components/alerts/api';
import type { ApiTokenDto } from '@/lib/api/token-dto';

type AuditEntryDto = { id: string; at: string; actor: string; action: string; targetKind: string; targetId: string; detail: Record<string, unknown> };

const tokenKeys = { list: ['admin', 'tokens'] as const, audit: ['admin', 'audit-log'] as const };

function TokenForm({ onCreated }: { onCreated: (token: string) => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [role, setRole] = useState('viewer');
  const [days, setDays] = useState(90);
  const create = useMutation({
    mutationFn: () => requestJson<{ token: string }>('/api/tokens', { method: 'POST', body: { name, role, expiresInDays: days } }),
    onSuccess: (answer) => {
      onCreated(answer.token);
      setName('');
      void queryClient.invalidateQueries({ queryKey: ['admin'] });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form onSubmit={submit} aria-label="New API token" className="flex flex-wrap items-end gap-2">
      <label className="text-xs">
        Token name
        <input className={inputClass} value={name} onChange={(event) => setName(event.target.value)} required maxLength={100} />
      </label>
      <label className="text-xs">
        Role
        <select className={inputClass} value={role} onChange={(event) => setRole(event.target.value)}>
          <option value="viewer">viewer</option>
          <option value="editor">editor</option>
          <option value="admin">admin</option>
        </select>
      </label>
      <label className="text-xs">
        Expires in (days)
        <input className={inputClass} type="number" min={1} max={730} value={days} onChange={(event) => setDays(Number(event.target.value))} />
      </label>
      <button type="submit" className={primaryButtonClass} disabled={create.isPending}>
        Create token
      </button>
      {create.error ? <p role="alert" className="text-xs text-red-700 dark:text-red-400">{create.error.message}</p> : null}
    </form>
  );
}

const when = (iso: string | null) => (iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 19) + 'Z' : '—');

export function AdminClient() {
  const queryClient = useQueryClient();
  const [created, setCreated] = useState<string | null>(null);
  const tokens = useQuery({ queryKey: tokenKeys.list, queryFn: () => requestJson<{ tokens: ApiTokenDto[] }>('/api/tokens') });
  const audit = useQuery({ queryKey: tokenKeys.audit, queryFn: () => requestJson<{ entries: AuditEntryDto[] }>('/api/audit-log?limit=200') });
  const revoke = useMutation({
    mutationFn: (id: number) => requestJson(`/api/tokens/${id}`, { method: 'DELETE' }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['admin'] }),
  });
  return (
    <div className="space-y-8">
      <section aria-labelledby="tokens-heading" className="space-y-3">
        <h1 id="tokens-heading" className="text-lg font-semibold">
          API tokens
        </h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">For scripts, CI and Grafana: send it as Authorization: Bearer &lt;token&gt;. It is shown once; only its hash is kept.</p>
        <TokenForm onCreated={setCreated} />
        {created ? (
          <p role="status" className="rounded border border-amber-300 bg-amber-50 p-2 font-mono text-sm break-all dark:border-amber-700 dark:bg-amber-950">
            New token (copy it now, it will not be shown again): <span aria-label="New token">{created}</span>
          </p>
        ) : null}
        <table className="w-full text-left text-sm" aria-label="API tokens">
          <thead>
            <tr className="text-xs text-zinc-500">
              <th>Name</th>
              <th>Role</th>
              <th>Prefix</th>
              <th>Created by</th>
              <th>Last used</th>
              <th>State</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(tokens.data?.tokens ?? []).map((token) => (
              <tr key={token.id} className="border-t border-zinc-200 dark:border-zinc-800">
                <td>{token.name}</td>
                <td>{token.role}</td>
                <td className="font-mono text-xs">{token.prefix}…</td>
                <td>{token.createdBy}</td>
                <td>{when(token.lastUsedAt)}</td>
                <td>{token.revokedAt ? `revoked ${when(token.revokedAt)}` : `until ${when(token.expiresAt)}`}</td>
                <td>
                  {token.revokedAt ? null : (
                    <button type="button" className={buttonClass} aria-label={`Revoke ${token.name}`} onClick={() => revoke.mutate(token.id)}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {tokens.error ?? revoke.error ? <p role="alert">{(tokens.error ?? revoke.error)!.message}</p> : null}
      </section>
      <section aria-labelledby="audit-heading" className="space-y-3">
        <h2 id="audit-heading" className="text-lg font-semibold">
          Audit log
        </h2>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Changes to rules, channels and tokens: who, when, what changed.</p>
        <table className="w-full text-left text-sm" aria-label="Audit log">
          <thead>
            <tr className="text-xs text-zinc-500">
              <th>When</th>
              <th>Who</th>
              <th>What</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {(audit.data?.entries ?? []).map((entry) => (
              <tr key={entry.id} className="border-t border-zinc-200 align-top dark:border-zinc-800">
                <td className="whitespace-nowrap">{when(entry.at)}</td>
                <td>{entry.actor}</td>
                <td>
                  {entry.action} {entry.targetKind} {entry.targetId}
                </td>
                <td className="font-mono text-xs break-all">{JSON.stringify(entry.detail)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {audit.error ? <p role="alert">{audit.error.message}</p> : null}
      </section>
    </div>
  );
}
