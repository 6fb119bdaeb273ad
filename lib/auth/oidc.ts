import * as client from 'openid-client';
import { ValidationError } from '../errors';
import { getEnv } from '../env';
import { roleFromGroups, type RoleMapping, type Role } from './roles';

export type OidcSettings = { issuer: URL; clientId: string; clientSecret: string | undefined; scopes: string; groupsClaim: string; usernameClaim: string; publicUrl: URL };

let configuration: { key: string; promise: Promise<client.Configuration> } | undefined;

export function getOidcSettings(): OidcSettings {
  const env = getEnv();
  if (env.LEASETRAIL_AUTH !== 'oidc' || !env.OIDC_ISSUER || !env.OIDC_CLIENT_ID || !env.LEASETRAIL_PUBLIC_URL) throw new ValidationError('OIDC sign-in is not configured (LEASETRAIL_AUTH=oidc)');
  return {
    issuer: new URL(env.OIDC_ISSUER),
    clientId: env.OIDC_CLIENT_ID,
    clientSecret: env.OIDC_CLIENT_SECRET,
    scopes: env.OIDC_SCOPES,
    groupsClaim: env.OIDC_GROUPS_CLAIM,
    usernameClaim: env.OIDC_USERNAME_CLAIM,
    publicUrl: new URL(env.LEASETRAIL_PUBLIC_URL),
  };
}

// Discovery once per process; a failed attempt is forgotten so the next sign-in tries again.
function discover(settings: OidcSettings): Promise<client.Configuration> {
  const key = `${settings.issuer.href}|${settings.clientId}`;
  if (configuration?.key === key) return configuration.promise;
  const options = settings.issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : undefined;
  const promise = client.discovery(settings.issuer, settings.clientId, settings.clientSecret, settings.clientSecret ? undefined : client.None(), options);
  promise.catch(() => {
    if (configuration?.promise === promise) configuration = undefined;
  });
  configuration = { key, promise };
  return promise;
}

export function callbackUrl(settings: OidcSettings): URL {
  return new URL('/api/auth/callback', settings.publicUrl);
}

export type LoginStart = { redirectTo: URL; state: string; nonce: string; codeVerifier: string };

export async function startLogin(settings: OidcSettings): Promise<LoginStart> {
  const config = await discover(settings);
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const redirectTo = client.buildAuthorizationUrl(config, {
    redirect_uri: callbackUrl(settings).href,
    scope: settings.scopes,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { redirectTo, state, nonce, codeVerifier };
}

function claimAt(claims: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((value, part) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined), claims);
}

// Groups may be a list or one string; Keycloak realm roles live at realm_access.roles.
export function groupsFromClaims(claims: Record<string, unknown>, groupsClaim: string): string[] {
  const value = claimAt(claims, groupsClaim);
  if (Array.isArray(value)) return value.filter((entry): entry is string => typeof entry === 'string');
  return typeof value === 'string' && value !== '' ? [value] : [];
}

export type SignedIn = { name: string; groups: string[]; role: Role | null; idToken: string | undefined };

export async function finishLogin(settings: OidcSettings, search: string, expected: { state: string; nonce: string; codeVerifier: string }, mapping: RoleMapping): Promise<SignedIn> {
  const config = await discover(settings);
  const current = new URL(`${callbackUrl(settings).href}${search}`);
  const tokens = await client.authorizationCodeGrant(config, current, { pkceCodeVerifier: expected.codeVerifier, expectedState: expected.state, expectedNonce: expected.nonce, idTokenExpected: true });
  const claims = (tokens.claims() ?? {}) as Record<string, unknown>;
  const username = claimAt(claims, settings.usernameClaim);
  const name = typeof username === 'string' && username !== '' ? username : String(claims.email ?? claims.sub);
  const groups = groupsFromClaims(claims, settings.groupsClaim);
  return { name, groups, role: roleFromGroups(groups, mapping), idToken: tokens.id_token };
}

export async function buildLogoutUrl(settings: OidcSettings, idToken: string | undefined): Promise<string> {
  const config = await discover(settings).catch(() => undefined);
  if (!config?.serverMetadata().end_session_endpoint) return '/';
  const parameters: Record<string, string> = { post_logout_redirect_uri: new URL('/', settings.publicUrl).href, client_id: settings.clientId };
  if (idToken) parameters.id_token_hint = idToken;
  return client.buildEndSessionUrl(config, parameters).href;
}
