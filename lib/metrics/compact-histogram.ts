import type { Registry } from 'prom-client';

type Labels = Record<string, string>;
type Value = { labels: Labels; sharedLabels?: Labels; value: number; metricName: string };

// A histogram with the same exposition as prom-client's Histogram (name, help, `le` buckets, _sum, _count,
// registered in a Registry, summed across controller threads by AggregatorRegistry), for metrics with many
// label sets: the per-lease renew interval and observation lag of up to LEASETRAIL_METRICS_MAX_LEASE_SERIES
// election leases. prom-client keeps each label set as a tree of objects (the labels, an object of bucket
// counts keyed by bound, exemplars): 2.4 KB of heap per series (a heap snapshot of the memory benchmark: 24 MiB
// for its 10,000 series); here a series is a slot — its counts in one Float64Array row, its label values in
// arrays — ≈ 0.8 KB with its key and label strings. `observe` finds the slot by one key string instead of hashing
// a labels object. One difference: a value that is not finite (NaN, ±Infinity) is ignored, where prom-client
// throws — a renewal's metrics must never fail the batch that stored it.
export class CompactHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly slots = new Map<string, number>();
  private readonly free: number[] = [];
  // Per slot: one count per bound, then the sum and the total count (what lies above the last bound is the
  // total less the buckets: the +Inf bucket is the total).
  private readonly stride: number;
  private counts: Float64Array;
  private values: Array<string[] | undefined> = [];

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    private readonly upperBounds: readonly number[],
    registers: readonly Registry[] = [],
  ) {
    this.stride = upperBounds.length + 2;
    this.counts = new Float64Array(0);
    for (const registry of registers) registry.registerMetric(this as never);
  }

  observe(labels: Labels, value: number): void {
    if (!Number.isFinite(value)) return;
    const base = this.slotOf(labels) * this.stride;
    const bounds = this.upperBounds;
    let bucket = 0;
    while (bucket < bounds.length && value > bounds[bucket]!) bucket += 1;
    if (bucket < bounds.length) this.counts[base + bucket]! += 1;
    this.counts[base + bounds.length]! += value;
    this.counts[base + bounds.length + 1]! += 1;
  }

  remove(labels: Labels): void {
    const key = this.keyOf(labels);
    const slot = this.slots.get(key);
    if (slot === undefined) return;
    this.slots.delete(key);
    this.values[slot] = undefined;
    this.counts.fill(0, slot * this.stride, (slot + 1) * this.stride);
    this.free.push(slot);
  }

  reset(): void {
    this.slots.clear();
    this.free.length = 0;
    this.values = [];
    this.counts = new Float64Array(0);
  }

  // prom-client's Histogram shape: the bucket's `le` in labels, the series' own labels shared (the text
  // exposition puts `le` first, as prom-client does).
  getForPromString(): Promise<{ name: string; help: string; type: 'histogram'; values: Value[]; aggregator: string }> {
    const values: Value[] = [];
    const bounds = this.upperBounds;
    for (const slot of this.slots.values()) {
      const labelValues = this.values[slot]!;
      const sharedLabels: Labels = {};
      this.labelNames.forEach((name, index) => {
        sharedLabels[name] = labelValues[index]!;
      });
      const base = slot * this.stride;
      let cumulative = 0;
      for (let bucket = 0; bucket < bounds.length; bucket += 1) {
        cumulative += this.counts[base + bucket]!;
        values.push({ labels: { le: bounds[bucket] as unknown as string }, sharedLabels, value: cumulative, metricName: `${this.name}_bucket` });
      }
      const count = this.counts[base + bounds.length + 1]!;
      values.push({ labels: { le: '+Inf' }, sharedLabels, value: count, metricName: `${this.name}_bucket` });
      values.push({ labels: {}, sharedLabels, value: this.counts[base + bounds.length]!, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels, value: count, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator });
  }

  // What Registry.getMetricsAsJSON and the thread aggregation read: every label in `labels`.
  async get(): Promise<{ name: string; help: string; type: 'histogram'; values: Value[]; aggregator: string }> {
    const data = await this.getForPromString();
    return { ...data, values: data.values.map(({ labels, sharedLabels, value, metricName }) => ({ labels: { ...labels, ...sharedLabels }, value, metricName })) };
  }

  private keyOf(labels: Labels): string {
    let key = '';
    for (const name of this.labelNames) key += `${labels[name] ?? ''}\u0000`;
    return key;
  }

  private slotOf(labels: Labels): number {
    const key = this.keyOf(labels);
    const known = this.slots.get(key);
    if (known !== undefined) return known;
    const slot = this.free.pop() ?? this.grow();
    this.slots.set(key, slot);
    this.values[slot] = this.labelNames.map((name) => labels[name] ?? '');
    return slot;
  }

  private grow(): number {
    const slot = this.slots.size;
    const capacity = this.counts.length / this.stride;
    if (slot >= capacity) {
      const counts = new Float64Array(Math.max(16, capacity * 2) * this.stride);
      counts.set(this.counts);
      this.counts = counts;
    }
    return slot;
  }
}
