import { describe, expect, it } from 'vitest';
import { createRandom } from '@/lib/sim/random';

describe('createRandom', () => {
  it('replays the same sequence from the same seed', () => {
    const a = createRandom('seed-1');
    const b = createRandom('seed-1');
    expect(Array.from({ length: 20 }, () => a.float())).toEqual(Array.from({ length: 20 }, () => b.float()));
    expect(createRandom(7).uuid()).toBe(createRandom('7').uuid());
  });

  it('gives different sequences for different seeds and forks', () => {
    const root = createRandom('x');
    expect(createRandom('x').float()).not.toBe(createRandom('y').float());
    expect(root.fork('a').float()).not.toBe(root.fork('b').float());
    expect(createRandom('x').fork('a').float()).toBe(createRandom('x').fork('a').float());
  });

  it('keeps floats in [0, 1) and ints within their bounds', () => {
    const random = createRandom('bounds');
    for (let i = 0; i < 2000; i++) {
      const f = random.float();
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
      const n = random.int(3, 5);
      expect([3, 4, 5]).toContain(n);
    }
  });

  it('makes version-4 UUIDs and DNS-safe suffixes', () => {
    const random = createRandom('ids');
    for (let i = 0; i < 50; i++) {
      expect(random.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(random.alphanumeric(5)).toMatch(/^[a-z0-9]{5}$/);
    }
  });

  it('refuses to pick from nothing', () => {
    expect(() => createRandom('p').pick([])).toThrow(/empty/);
  });
});
