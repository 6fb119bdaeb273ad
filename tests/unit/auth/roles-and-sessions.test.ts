import { sealData } from 'iron-session';
import { describe, expect, it } from 'vitest';
import { groupsFromClaims } from '../../../lib/auth/oidc';
import { hasRole, roleFromGroups } from '../../../lib/auth/roles';
import { openSession, sealSession } from '../../../lib/auth/session';
import { createHeavyGate } from '../../../lib/http/heavy-reads';
import { TooManyRequestsError } from '../../../lib/errors';

const mapping = { admin: ['platform'], editor: ['sre', 'oncall'], viewer: ['*'] };
const password = 'a-session-secret-of-at-least-32-chars!';

describe('roles', () => {
  it('orders viewer < editor < admin', () => {
    expect(hasRole('admin', 'editor')).toBe(true);
    expect(hasRole('editor', 'editor')).toBe(true);
    expect(hasRole('viewer', 'editor')).toBe(false);
  });

  it('grants the highest role any group maps to', () => {
    expect(roleFromGroups(['dev', 'oncall'], mapping)).toBe('editor');
    expect(roleFromGroups(['platform', 'sre'], mapping)).toBe('admin');
    expect(roleFromGroups([], mapping)).toBe('viewer');
    expect(roleFromGroups(['dev'], { ...mapping, viewer: ['engineering'] })).toBeNull();
  });

  it('reads groups from a list, a single string or a nested claim (Keycloak realm roles)', () => {
    expect(groupsFromClaims({ groups: ['a', 'b', 3] }, 'groups')).toEqual(['a', 'b']);
    expect(groupsFromClaims({ groups: 'a' }, 'groups')).toEqual(['a']);
    expect(groupsFromClaims({ realm_access: { roles: ['leasetrail-admin'] } }, 'realm_access.roles')).toEqual(['leasetrail-admin']);
    expect(groupsFromClaims({}, 'groups')).toEqual([]);
  });
});

describe('sessions', () => {
  const now = Date.UTC(2026, 11, 7, 10);

  it('opens a sealed session until it expires', async () => {
    const sealed = await sealSession({ name: 'alice', role: 'editor', groups: ['sre'], expiresAt: now + 60_000 }, password, 3600);
    expect(await openSession(sealed, password, now)).toMatchObject({ name: 'alice', role: 'editor', groups: ['sre'] });
    expect(await openSession(sealed, password, now + 60_000)).toBeNull();
  });

  it('treats a tampered, foreign or hand-made cookie as no session', async () => {
    const sealed = await sealSession({ name: 'alice', role: 'viewer', groups: [], expiresAt: now + 60_000 }, password, 3600);
    expect(await openSession(`${sealed.slice(0, -4)}AAAA`, password, now)).toBeNull();
    expect(await openSession(sealed, 'another-secret-that-is-32-chars-long!!', now)).toBeNull();
    expect(await openSession(await sealData({ name: 'mallory', role: 'root', expiresAt: now + 60_000 }, { password }), password, now)).toBeNull();
    expect(await openSession('{"name":"alice","role":"admin"}', password, now)).toBeNull();
  });
});

describe('heavy-read gate', () => {
  it('admits up to its limit, then answers when to retry, and frees a slot once', () => {
    const gate = createHeavyGate(2, 3);
    const first = gate.acquire();
    gate.acquire();
    expect(() => gate.acquire()).toThrow(TooManyRequestsError);
    try {
      gate.acquire();
    } catch (error) {
      expect((error as TooManyRequestsError).retryAfterSeconds).toBe(3);
    }
    first();
    first();
    expect(gate.running()).toBe(1);
    gate.acquire();
    expect(() => gate.acquire()).toThrow(/too many heavy reads at once \(2 running\); retry in 3 s/);
  });
});
