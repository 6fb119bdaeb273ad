import type { RuleKind, RuleScope, Subject } from './types';

// Globs: `*` any run of characters, `?` one character, everything else literal.
export function globToRegExp(pattern: string): RegExp {
  const body = [...pattern].map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.+()[\]{}|/]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 's');
}

// The same glob as a LIKE pattern (ESCAPE '\\'), so a scope is filtered in SQL rather than after reading a fleet.
export function globToLike(pattern: string): string {
  return [...pattern].map((char) => (char === '*' ? '%' : char === '?' ? '_' : char.replace(/[\\%_]/g, '\\$&'))).join('');
}

const compiled = new Map<string, RegExp>();

export function matchesGlob(pattern: string, value: string): boolean {
  let regExp = compiled.get(pattern);
  if (!regExp) {
    regExp = globToRegExp(pattern);
    if (compiled.size > 1_000) compiled.clear();
    compiled.set(pattern, regExp);
  }
  return regExp.test(value);
}

export type ExcludePattern = { cluster: string; namespace: string; name: string };

// `cluster`, `cluster/namespace` or `cluster/namespace/name`; with three or more parts the last two
// are namespace and name, so a cluster named like an EKS ARN (with a `/`) can still be excluded.
export function parseExcludePattern(pattern: string): ExcludePattern {
  const parts = pattern.split('/');
  if (parts.length >= 3) return { cluster: parts.slice(0, -2).join('/'), namespace: parts.at(-2)!, name: parts.at(-1)! };
  return { cluster: parts[0]!, namespace: parts[1] ?? '*', name: '*' };
}

function matchesSegment(pattern: string, value: string | null): boolean {
  return value === null ? pattern === '*' : matchesGlob(pattern, value);
}

export function isExcluded(excludePatterns: readonly string[], subject: Subject): boolean {
  return excludePatterns.some((raw) => {
    const pattern = parseExcludePattern(raw);
    return matchesGlob(pattern.cluster, subject.cluster) && matchesSegment(pattern.namespace, subject.namespace) && matchesSegment(pattern.name, subject.name);
  });
}

// A cluster subject (stale data) is matched on the cluster pattern only.
export function isInScope(scope: RuleScope, subject: Subject): boolean {
  if (!matchesGlob(scope.clusterPattern, subject.cluster)) return false;
  if (subject.namespace !== null && !matchesGlob(scope.namespacePattern, subject.namespace)) return false;
  if (subject.name !== null && !matchesGlob(scope.namePattern, subject.name)) return false;
  return !isExcluded(scope.excludePatterns, subject);
}

export function isClusterRule(kind: RuleKind): boolean {
  return kind === 'stale_data';
}

export function subjectKeyOf(subject: Subject): string {
  return subject.namespace === null || subject.name === null ? subject.cluster : `${subject.cluster}/${subject.namespace}/${subject.name}`;
}

// Namespaces and lease names never contain `/`; cluster names may, so a lease key is read from the right.
export function parseSubjectKey(key: string, kind: RuleKind): Subject {
  if (isClusterRule(kind)) return { cluster: key, namespace: null, name: null };
  const parts = key.split('/');
  if (parts.length < 3) return { cluster: key, namespace: null, name: null };
  return { cluster: parts.slice(0, -2).join('/'), namespace: parts.at(-2)!, name: parts.at(-1)! };
}

export function describeSubject(subject: Subject): string {
  return subject.namespace === null || subject.name === null ? `cluster ${subject.cluster}` : `${subject.cluster} ${subject.namespace}/${subject.name}`;
}
