import type { AuthConfig } from './auth-config';
import { localIdentity, type Identity } from './identity';
import { buildTrustedList, identifyFromProxy } from './proxy-identity';
import { openSession } from './session';

export type BrowserVerdict = { identity: Identity } | { anonymous: string };

let trustedCache: { key: string; list: ReturnType<typeof buildTrustedList> } | undefined;

function trustedList(config: AuthConfig): ReturnType<typeof buildTrustedList> {
  const key = config.proxy.trusted.join(',');
  if (trustedCache?.key !== key) trustedCache = { key, list: buildTrustedList(config.proxy.trusted) };
  return trustedCache.list;
}

// Who a browser (or a client of the auth proxy) is, from the session cookie or the proxy's headers.
// API tokens are checked by lib/http (they need the database).
export async function identifyBrowser(headers: Headers, sessionValue: string | undefined, config: AuthConfig, now: number): Promise<BrowserVerdict> {
  switch (config.mode) {
    case 'none':
      return { identity: localIdentity };
    case 'proxy': {
      const verdict = identifyFromProxy(headers, config, trustedList(config));
      if (!verdict) return { anonymous: 'sign in through the authentication proxy' };
      return 'identity' in verdict ? verdict : { anonymous: verdict.refusal };
    }
    case 'oidc': {
      const session = await openSession(sessionValue, config.sessionSecret ?? '', now);
      if (!session) return { anonymous: sessionValue ? 'the session has expired: sign in again' : 'sign in first' };
      return { identity: { name: session.name, role: session.role, source: 'oidc', groups: session.groups } };
    }
  }
}
