// Holder colours: distinct within a view and never a state's colour. Leaderless is red hatching, not
// observed grey hatching, markers red/violet/orange/cyan: the palette holds none of those hues.
export const holderPalette = [
  '#2563eb', // blue
  '#16a34a', // green
  '#ca8a04', // ochre
  '#0d9488', // teal
  '#9333ea', // purple
  '#65a30d', // lime
  '#4f46e5', // indigo
  '#a16207', // brown
  '#0284c7', // sky
  '#15803d', // dark green
  '#c026d3', // fuchsia
  '#1e40af', // navy
] as const;

export const stateColors = { leaderless: '#dc2626', unknown: '#a1a1aa', churn: '#ea580c' } as const;

function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193) >>> 0;
  return hash;
}

// Each identity keeps its hashed colour when it is free in this view, so a holder keeps its colour as
// the window moves; a clash takes the next free one, so two holders in view never share a colour. A
// restarted process is a new identity: it gets a colour of its own and a boundary where it starts.
// Past the palette's size colours repeat, and the boundary still tells neighbours apart.
export function assignHolderColors(holders: Iterable<string>): Map<string, string> {
  const colors = new Map<string, string>();
  const taken = new Set<number>();
  for (const holder of holders) {
    if (colors.has(holder)) continue;
    let slot = hashOf(holder) % holderPalette.length;
    if (taken.size < holderPalette.length) while (taken.has(slot)) slot = (slot + 1) % holderPalette.length;
    taken.add(slot);
    colors.set(holder, holderPalette[slot]!);
  }
  return colors;
}
