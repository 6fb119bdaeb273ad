'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import type { ChannelDto } from '@/lib/api/alert-dto';
import { FormFooter } from './form-footer';
import { alertKeys, buttonClass, inputClass, requestJson } from './api';

type Kind = ChannelDto['kind'];

const kindLabels: Record<Kind, string> = { webhook: 'Webhook (signed JSON)', slack: 'Slack-compatible incoming webhook', alertmanager: 'Alertmanager (v2 API)' };

const urlHints: Record<Kind, string> = {
  webhook: 'https://hooks.example.com/leasetrail',
  slack: 'https://hooks.slack.com/services/T…/B…/…',
  alertmanager: 'http://alertmanager.monitoring:9093',
};

function randomSecret(): string {
  const bytes = new Uint8Array(24);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function parseLabels(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => {
        const cut = line.indexOf('=');
        return cut < 0 ? [line, ''] : [line.slice(0, cut).trim(), line.slice(cut + 1).trim()];
      }),
  );
}

// Credentials are never shown back: when editing, an empty secret field keeps the stored one.
export function ChannelForm({ channel, onDone }: { channel?: ChannelDto; onDone: () => void }) {
  const queryClient = useQueryClient();
  const id = useId();
  const stored = channel?.config ?? {};
  const [name, setName] = useState(channel?.name ?? '');
  const [kind, setKind] = useState<Kind>(channel?.kind ?? 'webhook');
  const [url, setUrl] = useState(channel && channel.kind !== 'slack' ? String(stored.url ?? '') : '');
  const [secret, setSecret] = useState('');
  const [token, setToken] = useState('');
  const [labels, setLabels] = useState(
    Object.entries((stored.labels as Record<string, string> | undefined) ?? {})
      .map(([key, value]) => `${key}=${value}`)
      .join('\n'),
  );
  const [allowPrivate, setAllowPrivate] = useState(Boolean(stored.allowPrivateTargets));
  const [enabled, setEnabled] = useState(channel?.enabled ?? true);

  const config = () => {
    const base: Record<string, unknown> = { allowPrivateTargets: allowPrivate };
    if (url || !channel || kind !== 'slack') base.url = url || undefined;
    if (kind === 'webhook' && secret) base.secret = secret;
    if (kind === 'alertmanager') {
      base.labels = parseLabels(labels);
      if (token) base.bearerToken = token;
    }
    return base;
  };
  const save = useMutation({
    mutationFn: () =>
      channel
        ? requestJson(`/api/channels/${channel.id}`, { method: 'PATCH', body: { name, enabled, config: config() } })
        : requestJson('/api/channels', { method: 'POST', body: { name, kind, enabled, config: config() } }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: alertKeys.channels });
      onDone();
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const field = (suffix: string) => `${id}-${suffix}`;

  return (
    <form onSubmit={submit} aria-label={channel ? `Edit channel ${channel.name}` : 'New channel'} className="space-y-3 rounded-lg border border-zinc-200 p-4 dark:border-zinc-800">
      <div className="grid gap-3 sm:grid-cols-2">
        <label htmlFor={field('name')} className="text-xs">
          Name
          <input id={field('name')} className={inputClass} value={name} onChange={(event) => setName(event.target.value)} required />
        </label>
        <label htmlFor={field('kind')} className="text-xs">
          Kind
          <select id={field('kind')} className={inputClass} value={kind} onChange={(event) => setKind(event.target.value as Kind)} disabled={channel !== undefined}>
            {Object.entries(kindLabels).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label htmlFor={field('url')} className="text-xs sm:col-span-2">
          {kind === 'alertmanager' ? 'Alertmanager URL' : 'URL'}
          <input
            id={field('url')}
            className={inputClass}
            value={url}
            onChange={(event) => setUrl(event.target.value)}
            placeholder={channel?.kind === 'slack' ? `unchanged (${String(stored.url ?? '')})` : urlHints[kind]}
            required={!(channel?.kind === 'slack')}
          />
        </label>
        {kind === 'webhook' ? (
          <div className="text-xs sm:col-span-2">
            <label htmlFor={field('secret')}>Signing secret (HMAC-SHA256, header X-Leasetrail-Signature)</label>
            <div className="flex gap-2">
              <input
                id={field('secret')}
                className={`${inputClass} font-mono`}
                value={secret}
                onChange={(event) => setSecret(event.target.value)}
                placeholder={channel ? 'unchanged' : 'at least 16 characters'}
                required={!channel}
              />
              <button type="button" className={buttonClass} onClick={() => setSecret(randomSecret())}>
                Generate
              </button>
            </div>
            <span className="text-zinc-600 dark:text-zinc-400">Copy it now: it is never shown again.</span>
          </div>
        ) : null}
        {kind === 'alertmanager' ? (
          <>
            <label htmlFor={field('token')} className="text-xs">
              Bearer token (optional)
              <input id={field('token')} className={inputClass} value={token} onChange={(event) => setToken(event.target.value)} placeholder={stored.hasBearerToken ? 'unchanged' : ''} />
            </label>
            <label htmlFor={field('labels')} className="text-xs">
              Extra labels, one name=value per line
              <textarea id={field('labels')} className={`${inputClass} font-mono`} rows={2} value={labels} onChange={(event) => setLabels(event.target.value)} placeholder="team=platform" />
            </label>
          </>
        ) : null}
      </div>
      <div className="flex flex-wrap gap-4 text-xs">
        <label className="flex items-center gap-1.5">
          <input type="checkbox" checked={enabled} onChange={(event) => setEnabled(event.target.checked)} />
          Enabled
        </label>
        <label className="flex items-center gap-1.5">
          <input type="checkbox" checked={allowPrivate} onChange={(event) => setAllowPrivate(event.target.checked)} />
          Allow link-local and cloud-metadata targets (169.254.0.0/16, fe80::/10, metadata names)
        </label>
      </div>
      <FormFooter error={save.error} isPending={save.isPending} submitLabel={channel ? 'Save channel' : 'Create channel'} onCancel={onDone} />
    </form>
  );
}
