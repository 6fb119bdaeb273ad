// client-go identities are `hostname_<uuid>`; hostnames hold no underscore, so the last one splits.
export function getHolderHost(identity: string): string | null {
  const split = identity.lastIndexOf('_');
  if (split <= 0 || split === identity.length - 1) return null;
  return identity.slice(0, split);
}

export function isHolderRestart(fromHolder: string | null, toHolder: string | null): boolean {
  if (fromHolder === null || toHolder === null || fromHolder === toHolder) return false;
  const host = getHolderHost(fromHolder);
  return host !== null && host === getHolderHost(toHolder);
}
