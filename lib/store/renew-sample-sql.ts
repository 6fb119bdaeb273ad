// When a stored renew sample was observed. RenewSample keeps no observedAt: a watched renewal was seen
// lagMs after its renewTime (a renewTime ahead of our clock is stored as the time we saw it, with a
// negative lag), and a listed one has no lag, so its observation time is not known (NULL).
const column = (alias: string | undefined, name: string) => (alias ? `${alias}."${name}"` : `"${name}"`);

export const observedAtOf = (alias?: string): string =>
  `(CASE WHEN ${column(alias, 'lagMs')} IS NULL THEN NULL ELSE ${column(alias, 'renewTime')} + greatest(${column(alias, 'lagMs')}, 0) * interval '1 millisecond' END)`;

// The latest time a sample proves the lease was seen: its observation, or at least its renewTime.
export const seenAtOf = (alias?: string): string => `coalesce(${observedAtOf(alias)}, ${column(alias, 'renewTime')})`;
