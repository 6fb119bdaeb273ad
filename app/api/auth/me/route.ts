import { parseQuery } from '@/lib/api/query';
import { respondJson } from '@/lib/api/respond';
import { noQuery } from '@/lib/api/schemas';
import { getAuthConfig } from '@/lib/auth/auth-config';
import { defineRoute } from '@/lib/http/define-route';

export const dynamic = 'force-dynamic';

export const GET = defineRoute({ access: 'viewer' }, async ({ request, identity }) => {
  parseQuery(request, noQuery);
  return respondJson({ name: identity.name, role: identity.role, source: identity.source, groups: identity.groups, mode: getAuthConfig().mode });
});
