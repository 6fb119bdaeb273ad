import { AggregatorRegistry, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CompactHistogram } from '@/lib/metrics/compact-histogram';

const buckets = [0.5, 1, 2, 3, 5, 8, 10, 15, 20, 30, 45, 60, 120];
const labelNames = ['cluster', 'namespace', 'lease'];

// The same observations into prom-client's Histogram and into CompactHistogram, each in a registry of its own.
function both() {
  const promRegistry = new Registry();
  const compactRegistry = new Registry();
  const prom = new Histogram({ name: 'renew_seconds', help: 'Renew interval', labelNames, buckets, registers: [promRegistry] });
  const compact = new CompactHistogram('renew_seconds', 'Renew interval', labelNames, buckets, [compactRegistry]);
  return {
    promRegistry,
    compactRegistry,
    observe: (labels: Record<string, string>, value: number) => {
      prom.observe(labels, value);
      compact.observe(labels, value);
    },
    remove: (labels: Record<string, string>) => {
      prom.remove(labels);
      compact.remove(labels);
    },
  };
}

// Deterministic values over every bucket, on the bounds themselves, past the last one, and 0.
function* values(count: number): Generator<number> {
  let seed = 7;
  for (let i = 0; i < count; i += 1) {
    seed = (seed * 48_271) % 2_147_483_647;
    const pick = seed % 20;
    yield pick < buckets.length ? buckets[pick]! : pick === 19 ? 0 : (seed % 200_000) / 1_000;
  }
}

describe('CompactHistogram', () => {
  it('exposes what prom-client’s Histogram exposes for the same observations, removals and re-additions', async () => {
    const { promRegistry, compactRegistry, observe, remove } = both();
    // 40 label sets: the counts' array grows past its first 16 and 32 slots, with removals on both sides.
    const series = Array.from({ length: 40 }, (_, i) => ({ cluster: `c${i % 3}`, namespace: `team-${i % 4}`, lease: i % 5 === 0 ? '' : `lease-${i}` }));
    let index = 0;
    for (const value of values(6_000)) {
      observe(series[index % series.length]!, value);
      index += 1;
      if (index === 20) remove(series[4]!);
      if (index === 2_000) remove(series[9]!);
      if (index === 3_000) remove(series[33]!);
    }
    // A label value that needs escaping in the text format.
    observe({ cluster: 'c"1\\', namespace: 'n\nx', lease: 'l' }, 2.5);
    // Series come in insertion order in both (a removed series that comes back is last in both).
    const promText = await promRegistry.metrics();
    const compactText = await compactRegistry.metrics();
    expect(compactText).toEqual(promText);
    expect(compactText.split('\n').length).toBeGreaterThan(40 * (buckets.length + 3));
  });

  it('gives the same JSON, so the controller threads’ series add up the same (AggregatorRegistry)', async () => {
    const first = both();
    const second = both();
    for (const value of values(500)) first.observe({ cluster: 'a', namespace: 'x', lease: 'one' }, value);
    for (const value of values(300)) second.observe({ cluster: 'b', namespace: 'x', lease: 'two' }, value);
    second.observe({ cluster: 'a', namespace: 'x', lease: 'one' }, 4);
    const aggregate = async (a: Registry, b: Registry) => AggregatorRegistry.aggregate([await a.getMetricsAsJSON(), await b.getMetricsAsJSON()]).metrics();
    const prom = await aggregate(first.promRegistry, second.promRegistry);
    const compact = await aggregate(first.compactRegistry, second.compactRegistry);
    expect(compact.split('\n').sort()).toEqual(prom.split('\n').sort());
    expect(compact).toContain('renew_seconds_count{cluster="a",namespace="x",lease="one"} 501');
  });

  it('ignores values that are not finite instead of throwing (prom-client throws), so a batch never fails on its metrics', async () => {
    const registry = new Registry();
    const histogram = new CompactHistogram('gap_seconds', 'Gap', ['lease'], [1], [registry]);
    for (const value of [Number.NaN, Infinity, -Infinity]) histogram.observe({ lease: 'a' }, value);
    histogram.observe({ lease: 'a' }, -2);
    const text = await registry.metrics();
    expect(text).toContain('gap_seconds_count{lease="a"} 1');
    expect(text).toContain('gap_seconds_sum{lease="a"} -2');
    expect(text).toContain('gap_seconds_bucket{le="1",lease="a"} 1');
  });

  it('forgets a removed series and reuses its place without carrying its counts over', async () => {
    const registry = new Registry();
    const histogram = new CompactHistogram('lag_seconds', 'Lag', ['lease'], [0.1, 1], [registry]);
    histogram.observe({ lease: 'a' }, 0.05);
    histogram.observe({ lease: 'a' }, 5);
    histogram.remove({ lease: 'a' });
    histogram.remove({ lease: 'never-seen' });
    histogram.observe({ lease: 'b' }, 0.5);
    const text = await registry.metrics();
    expect(text).not.toContain('lease="a"');
    expect(text).toContain('lag_seconds_bucket{le="0.1",lease="b"} 0');
    expect(text).toContain('lag_seconds_bucket{le="1",lease="b"} 1');
    expect(text).toContain('lag_seconds_bucket{le="+Inf",lease="b"} 1');
    expect(text).toContain('lag_seconds_sum{lease="b"} 0.5');
    expect(text).toContain('lag_seconds_count{lease="b"} 1');
    registry.resetMetrics();
    expect(await registry.metrics()).not.toContain('lease="b"');
  });
});
