import { cookies, headers } from 'next/headers';
import { getAuthConfig } from './auth-config';
import type { Identity } from './identity';
import { identifyBrowser } from './identify';
import { sessionCookie } from './session';

// The same identity proxy.ts admitted, for server components (pages check it again themselves).
export async function getPageIdentity(): Promise<Identity | null> {
  const [headerList, cookieStore] = await Promise.all([headers(), cookies()]);
  const verdict = await identifyBrowser(new Headers(headerList), cookieStore.get(sessionCookie)?.value, getAuthConfig(), Date.now());
  return 'identity' in verdict ? verdict.identity : null;
}
