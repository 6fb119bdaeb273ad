import { secretFields, type ChannelKind } from '../alerts/channel-config';
import type { SecretBox } from '../crypto/secret-box';
import { getSecretBox } from '../crypto/secret-key';

// Only the credential fields are encrypted; the rest of a channel stays readable in SQL.
export function sealChannelConfig(kind: ChannelKind, config: Record<string, unknown>, box: SecretBox = getSecretBox()): Record<string, unknown> {
  const sealed = { ...config };
  for (const field of secretFields[kind]) {
    const value = sealed[field];
    if (typeof value === 'string' && !box.isSealed(value)) sealed[field] = box.seal(value);
  }
  return sealed;
}

export function openChannelConfig(kind: ChannelKind, config: unknown, box: SecretBox = getSecretBox()): unknown {
  if (!config || typeof config !== 'object' || Array.isArray(config)) return config;
  const opened: Record<string, unknown> = { ...(config as Record<string, unknown>) };
  for (const field of secretFields[kind]) {
    const value = opened[field];
    if (typeof value === 'string') opened[field] = box.open(value);
  }
  return opened;
}
