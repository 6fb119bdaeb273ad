export const roles = ['viewer', 'editor', 'admin'] as const;

export type Role = (typeof roles)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roles as readonly string[]).includes(value);
}

export function hasRole(actual: Role, needed: Role): boolean {
  return roles.indexOf(actual) >= roles.indexOf(needed);
}

export type RoleMapping = { admin: string[]; editor: string[]; viewer: string[] };

// The highest role any of the groups grants; "*" in a role's list grants it to everyone signed in.
export function roleFromGroups(groups: readonly string[], mapping: RoleMapping): Role | null {
  const grants = (names: string[]) => names.includes('*') || names.some((name) => groups.includes(name));
  if (grants(mapping.admin)) return 'admin';
  if (grants(mapping.editor)) return 'editor';
  if (grants(mapping.viewer)) return 'viewer';
  return null;
}
