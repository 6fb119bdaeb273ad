import { describe, expect, it } from 'vitest';
import { mergeBurstSlots } from '@/lib/leases/heartbeat-bursts';

describe('node heartbeat bursts', () => {
  it('merges neighbouring slots into one burst, with its first slot and worst gap', () => {
    expect(mergeBurstSlots([
      { at: 10_000, nodes: [1, 2], worstMs: 20_000 },
      { at: 20_000, nodes: [3], worstMs: 31_000 },
      { at: 90_000, nodes: [4], worstMs: 16_000 },
    ])).toEqual([
      { at: 10_000, nodes: 3, worstMs: 31_000 },
      { at: 90_000, nodes: 1, worstMs: 16_000 },
    ]);
  });

  it('counts a node once when its missed renewals began in two slots of one burst', () => {
    // Node 2 missed a renewal at the end of one slot and again at the start of the next: 3 nodes, not 4.
    expect(mergeBurstSlots([
      { at: 0, nodes: [1, 2], worstMs: 18_000 },
      { at: 10_000, nodes: [2, 3], worstMs: 22_000 },
    ])).toEqual([{ at: 0, nodes: 3, worstMs: 22_000 }]);
  });

  it('never counts more nodes than took part, however many slots a burst spans', () => {
    const slots = [0, 10_000, 20_000].map((at) => ({ at, nodes: [7, 8, 9], worstMs: 16_000 }));
    expect(mergeBurstSlots(slots)).toEqual([{ at: 0, nodes: 3, worstMs: 16_000 }]);
  });

  it('keeps slots further apart than one empty slot as separate bursts, whatever their order', () => {
    expect(mergeBurstSlots([
      { at: 60_000, nodes: [1], worstMs: 16_000 },
      { at: 0, nodes: [1], worstMs: 17_000 },
    ])).toEqual([
      { at: 0, nodes: 1, worstMs: 17_000 },
      { at: 60_000, nodes: 1, worstMs: 16_000 },
    ]);
  });
});
