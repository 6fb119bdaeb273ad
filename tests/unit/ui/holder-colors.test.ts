import { describe, expect, it } from 'vitest';
import { assignHolderColors, holderPalette, stateColors } from '../../../lib/ui/holder-colors';

const hueOf = (hex: string) => {
  const [r, g, b] = [1, 3, 5].map((index) => parseInt(hex.slice(index, index + 2), 16) / 255) as [number, number, number];
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  if (max === min) return -1;
  const delta = max - min;
  const hue = max === r ? ((g - b) / delta) % 6 : max === g ? (b - r) / delta + 2 : (r - g) / delta + 4;
  return (hue * 60 + 360) % 360;
};

describe('holder colours', () => {
  it('gives every holder in view its own colour', () => {
    const holders = Array.from({ length: holderPalette.length }, (_, index) => `node-${index}_${index}abc`);
    const colors = assignHolderColors(holders);
    expect(new Set(colors.values()).size).toBe(holders.length);
  });

  it('tells a restarted process from its predecessor on the same host', () => {
    const colors = assignHolderColors(['cp-1_aaaa', 'cp-1_bbbb']);
    expect(colors.get('cp-1_aaaa')).not.toBe(colors.get('cp-1_bbbb'));
  });

  it('keeps a holder’s colour when others come and go', () => {
    expect(assignHolderColors(['x_1']).get('x_1')).toBe(assignHolderColors(['x_1', 'y_2']).get('x_1'));
  });

  it('never uses a state colour, nor a red or grey', () => {
    for (const color of holderPalette) {
      expect(Object.values(stateColors)).not.toContain(color);
      const hue = hueOf(color);
      expect(hue).toBeGreaterThanOrEqual(0);
      expect(hue > 20 && hue < 330).toBe(true);
    }
  });
});
