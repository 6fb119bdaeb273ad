import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyHeapGrowth } from '../../../lib/server/heap-policy';

const workload = path.join(__dirname, 'fixtures', 'heap-growth-workload.ts');

function run(percent: number): { applied: number | null; peakMiB: number } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', workload, String(percent)], { encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out.trim().split('\n').pop()!) as { applied: number | null; peakMiB: number };
}

describe('heap growth policy', () => {
  it('leaves the flag to the command line when it is given there, and V8 its own policy at 0', () => {
    expect(applyHeapGrowth(25, ['--heap-growing-percent=40'])).toEqual({ applied: null, reason: 'set on the command line' });
    expect(applyHeapGrowth(0, [])).toMatchObject({ applied: null });
  });

  // The same allocation pattern in two processes: set at start, the policy bounds the heap V8 lets grow between
  // full collections (V8's own policy grows it up to 4 × the live data while allocation is fast).
  it('set at start, it holds the heap closer to its live data than V8 does by default', () => {
    const own = run(0);
    const bounded = run(10);
    expect(own.applied).toBeNull();
    expect(bounded.applied).toBe(10);
    expect(bounded.peakMiB).toBeLessThan(own.peakMiB * 0.8);
  }, 120_000);
});
