import { describe, expect, it } from 'vitest';
import type { ChaosOperation } from '@/lib/sim/chaos';
import { createManualClock } from '@/lib/sim/clock';
import { generateScenario, parseScenario, runScenario, ScenarioError } from '@/lib/sim/scenario';

describe('parseScenario', () => {
  it('accepts steps as data and orders them by time', () => {
    const scenario = parseScenario({
      name: 'failover',
      steps: [
        { atMs: 5000, op: 'compactHistory', cluster: 'sim-1' },
        { atMs: 1000, op: 'crashLeader', cluster: 'sim-1', lease: 'kube-system/kube-scheduler', restartAfterMs: null },
      ],
    });
    expect(scenario.steps.map((step) => step.op)).toEqual(['crashLeader', 'compactHistory']);
  });

  it.each([
    [{ steps: [{ atMs: 0, op: 'explode', cluster: 'c' }] }, /steps\.0/],
    [{ steps: [{ atMs: -1, op: 'compactHistory', cluster: 'c' }] }, /steps\.0\.atMs/],
    [{ steps: [{ atMs: 0, op: 'crashLeader', cluster: 'c', lease: 'no-namespace' }] }, /namespace\/name/],
    [{ steps: [{ atMs: 0, op: 'compactHistory', cluster: 'c', extra: true }] }, /invalid scenario/],
    [{ steps: 'none' }, /steps/],
  ])('rejects %j', (input, message) => {
    expect(() => parseScenario(input)).toThrow(ScenarioError);
    expect(() => parseScenario(input)).toThrow(message);
  });
});

describe('generateScenario', () => {
  const options = { seed: 'demo', leases: { a: ['kube-system/x', 'kube-system/y'], b: ['kube-system/x'] }, durationMs: 3_600_000, meanIntervalMs: 180_000 };

  it('is reproducible from its seed', () => {
    expect(generateScenario(options)).toEqual(generateScenario(options));
    expect(generateScenario({ ...options, seed: 'other' })).not.toEqual(generateScenario(options));
  });

  it('spaces steps around the mean interval and targets only known leases', () => {
    const { steps } = generateScenario(options);
    expect(steps.length).toBeGreaterThan(10);
    expect(steps.length).toBeLessThan(40);
    let previous = 0;
    for (const step of steps) {
      expect(step.atMs - previous).toBeGreaterThanOrEqual(90_000);
      expect(step.atMs - previous).toBeLessThanOrEqual(270_000);
      previous = step.atMs;
      if ('lease' in step) expect(options.leases[step.cluster as 'a' | 'b']).toContain(step.lease);
    }
    expect(() => parseScenario(generateScenario(options))).not.toThrow();
  });

  it('uses only the operations of the mix', () => {
    const { steps } = generateScenario({ ...options, mix: { compactHistory: 1 } });
    expect(new Set(steps.map((step) => step.op))).toEqual(new Set(['compactHistory']));
  });
});

describe('runScenario', () => {
  it('applies each step at its offset and keeps going after a failure', async () => {
    const clock = createManualClock();
    const applied: Array<{ at: number; op: ChaosOperation }> = [];
    const target = {
      applyChaos: async (op: ChaosOperation) => {
        applied.push({ at: clock.monotonic(), op });
        if (op.op === 'crashLeader') throw new Error('no such lease');
        return { applied: true };
      },
    };
    const scenario = parseScenario({
      steps: [
        { atMs: 100, op: 'crashLeader', cluster: 'c', lease: 'ns/a' },
        { atMs: 300, op: 'compactHistory', cluster: 'c' },
      ],
    });
    const running = runScenario(target, scenario, { clock });
    await clock.advance(1000);
    const progress = await running;
    expect(applied.map((entry) => [entry.at, entry.op.op])).toEqual([
      [100, 'crashLeader'],
      [300, 'compactHistory'],
    ]);
    expect(progress[0]!.result).toEqual({ applied: false, detail: 'crashLeader c ns/a failed: no such lease' });
    expect(applied[1]!.op).toEqual({ op: 'compactHistory', cluster: 'c' });
  });

  it('stops when its signal aborts', async () => {
    const clock = createManualClock();
    const controller = new AbortController();
    const seen: string[] = [];
    const running = runScenario({ applyChaos: async (op) => (seen.push(op.op), { applied: true }) }, parseScenario({ steps: [{ atMs: 500, op: 'compactHistory', cluster: 'c' }] }), {
      clock,
      signal: controller.signal,
    });
    await clock.advance(100);
    controller.abort();
    expect(await running).toEqual([]);
    expect(seen).toEqual([]);
  });
});
