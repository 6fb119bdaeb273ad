import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSecretBox } from '../../../lib/crypto/secret-box';
import { loadSecretKey } from '../../../lib/crypto/secret-key';
import { openChannelConfig, sealChannelConfig } from '../../../lib/store/channel-secrets';

const box = createSecretBox(randomBytes(32));

describe('secret box (AES-256-GCM)', () => {
  it('round-trips, with a fresh IV each time', () => {
    const first = box.seal('hunter2-but-longer');
    const second = box.seal('hunter2-but-longer');
    expect(first).toMatch(/^enc:v1:[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(first).not.toBe(second);
    expect(box.open(first)).toBe('hunter2-but-longer');
    expect(box.open('')).toBe('');
    expect(box.open(box.seal('ünïcödé ✓'))).toBe('ünïcödé ✓');
  });

  it('refuses a tampered value and a value sealed with another key', () => {
    const sealed = box.seal('secret');
    const [iv, tag, data] = sealed.slice('enc:v1:'.length).split('.');
    const flipped = Buffer.from(data!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => box.open(`enc:v1:${iv}.${tag}.${flipped.toString('base64url')}`)).toThrow(/cannot be decrypted/);
    expect(() => createSecretBox(randomBytes(32)).open(sealed)).toThrow(/LEASETRAIL_SECRET_KEY is not the key/);
    expect(() => box.open('enc:v1:only-one-part')).toThrow(/malformed/);
  });

  it('reads a plaintext value written before encryption as it is', () => {
    expect(box.open('legacy-plaintext')).toBe('legacy-plaintext');
  });

  it('encrypts only the credential fields of a channel', () => {
    const sealed = sealChannelConfig('webhook', { url: 'https://hooks.example.com/x', secret: 'a-long-enough-secret', allowPrivateTargets: false }, box);
    expect(sealed.url).toBe('https://hooks.example.com/x');
    expect(sealed.secret).toMatch(/^enc:v1:/);
    expect(sealChannelConfig('webhook', sealed, box).secret).toBe(sealed.secret);
    expect(openChannelConfig('webhook', sealed, box)).toEqual({ url: 'https://hooks.example.com/x', secret: 'a-long-enough-secret', allowPrivateTargets: false });
    expect(sealChannelConfig('slack', { url: 'https://hooks.slack.com/services/T/B/C' }, box).url).toMatch(/^enc:v1:/);
  });

  it('generates the key once into the data folder, readable by the owner only', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'leasetrail-key-'));
    const key = loadSecretKey(undefined, dir);
    expect(key).toHaveLength(32);
    expect(loadSecretKey(undefined, dir).equals(key)).toBe(true);
    expect(statSync(path.join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(dir, 'secret.key'), 'utf8').trim()).toBe(key.toString('base64'));
    const configured = randomBytes(32);
    expect(loadSecretKey(configured.toString('base64'), dir).equals(configured)).toBe(true);
  });
});
