// Nodes whose missed renewals began in neighbouring 10 s slots belong to one burst (jitter spreads them).
export const burstSlotMs = 10_000;

// `nodes`: the node heartbeat leases (ids) whose missed renewal began in the slot.
export type BurstSlot = { at: number; nodes: readonly number[]; worstMs: number };

export type MergedBurst = { at: number; nodes: number; worstMs: number };

// A node that missed renewals in two slots of one burst is one node of it: the slots' nodes are united, not summed.
export function mergeBurstSlots(slots: readonly BurstSlot[]): MergedBurst[] {
  const merged: Array<{ at: number; nodes: Set<number>; worstMs: number }> = [];
  for (const slot of [...slots].sort((a, b) => a.at - b.at)) {
    const last = merged.at(-1);
    if (last && slot.at - last.at <= burstSlotMs * 2) {
      for (const node of slot.nodes) last.nodes.add(node);
      last.worstMs = Math.max(last.worstMs, slot.worstMs);
    } else merged.push({ at: slot.at, nodes: new Set(slot.nodes), worstMs: slot.worstMs });
  }
  return merged.map((burst) => ({ at: burst.at, nodes: burst.nodes.size, worstMs: burst.worstMs }));
}
