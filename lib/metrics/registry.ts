import { collectDefaultMetrics, Registry } from 'prom-client';

// One registry per process (per thread), whichever module graph asks: the start bundle and the route
// handlers Next compiled both load prom-client from node_modules but hold their own copies of this module.
const key = Symbol.for('leasetrail.metrics-registry');

export function getRegistry(): Registry {
  const holder = globalThis as { [key]?: Registry };
  if (!holder[key]) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    holder[key] = registry;
  }
  return holder[key];
}
