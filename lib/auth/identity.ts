import type { Role } from './roles';

export type IdentitySource = 'none' | 'oidc' | 'proxy' | 'token';

// Who is asking. `name` is what audit trails, acknowledgements and annotations record.
export type Identity = { name: string; role: Role; source: IdentitySource; groups: string[]; tokenId?: number };

// With no authentication configured Leasetrail listens on loopback only, and whoever reaches it is
// the person at this machine.
export const localIdentity: Identity = { name: 'local', role: 'admin', source: 'none', groups: [] };
