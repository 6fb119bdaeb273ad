import { parse, serialize } from 'cookie';
import { sealData, unsealData } from 'iron-session';
import { isRole, type Role } from './roles';

export const sessionCookie = 'leasetrail_session';
export const loginCookie = 'leasetrail_login';

export type Session = { name: string; role: Role; groups: string[]; expiresAt: number; idToken?: string };

export type LoginState = { state: string; nonce: string; codeVerifier: string; returnTo: string };

const loginSeconds = 600;

export function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get('cookie');
  return header ? parse(header)[name] : undefined;
}

// Secure when the public URL is https: a cookie set over TLS never travels in clear.
export function serializeCookie(name: string, value: string, options: { maxAgeSeconds: number; secure: boolean; path?: string }): string {
  return serialize(name, value, { httpOnly: true, secure: options.secure, sameSite: 'lax', path: options.path ?? '/', maxAge: options.maxAgeSeconds });
}

export function clearCookie(name: string, secure: boolean, path = '/'): string {
  return serialize(name, '', { httpOnly: true, secure, sameSite: 'lax', path, maxAge: 0 });
}

export async function sealSession(session: Session, password: string, ttlSeconds: number): Promise<string> {
  return sealData(session, { password, ttl: ttlSeconds });
}

// An expired, tampered or foreign cookie reads as no session at all.
export async function openSession(sealed: string | undefined, password: string, now: number): Promise<Session | null> {
  if (!sealed) return null;
  const data = await unsealData<Partial<Session>>(sealed, { password }).catch(() => ({}) as Partial<Session>);
  if (typeof data.name !== 'string' || !isRole(data.role) || typeof data.expiresAt !== 'number' || data.expiresAt <= now) return null;
  return { name: data.name, role: data.role, groups: Array.isArray(data.groups) ? data.groups.filter((g): g is string => typeof g === 'string') : [], expiresAt: data.expiresAt, idToken: data.idToken };
}

export async function sealLoginState(state: LoginState, password: string): Promise<string> {
  return sealData(state, { password, ttl: loginSeconds });
}

export async function openLoginState(sealed: string | undefined, password: string): Promise<LoginState | null> {
  if (!sealed) return null;
  const data = await unsealData<Partial<LoginState>>(sealed, { password, ttl: loginSeconds }).catch(() => ({}) as Partial<LoginState>);
  if (typeof data.state !== 'string' || typeof data.nonce !== 'string' || typeof data.codeVerifier !== 'string' || typeof data.returnTo !== 'string') return null;
  return data as LoginState;
}

export const loginCookieSeconds = loginSeconds;
