import { getEnv, type Env } from '../env';
import type { RoleMapping } from './roles';

export type AuthConfig = {
  mode: Env['LEASETRAIL_AUTH'];
  publicUrl: URL | null;
  sessionSecret: string | null;
  sessionSeconds: number;
  roleMapping: RoleMapping;
  proxy: { userHeader: string; groupsHeader: string; trusted: string[] };
};

export function toAuthConfig(env: Env): AuthConfig {
  return {
    mode: env.LEASETRAIL_AUTH,
    publicUrl: env.LEASETRAIL_PUBLIC_URL ? new URL(env.LEASETRAIL_PUBLIC_URL) : null,
    sessionSecret: env.LEASETRAIL_SESSION_SECRET ?? null,
    sessionSeconds: Math.round(env.LEASETRAIL_SESSION_HOURS * 3600),
    roleMapping: { admin: env.LEASETRAIL_ADMIN_GROUPS, editor: env.LEASETRAIL_EDITOR_GROUPS, viewer: env.LEASETRAIL_VIEWER_GROUPS },
    proxy: { userHeader: env.LEASETRAIL_PROXY_USER_HEADER, groupsHeader: env.LEASETRAIL_PROXY_GROUPS_HEADER, trusted: env.LEASETRAIL_TRUSTED_PROXIES },
  };
}

export function getAuthConfig(): AuthConfig {
  return toAuthConfig(getEnv());
}
