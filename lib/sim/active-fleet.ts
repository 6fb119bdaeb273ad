import type { Fleet } from './fleet';

// The fleet `npm start` runs lives in the run script's module graph; route handlers are bundled
// separately, so the one running fleet is handed over on globalThis.
const slot = globalThis as unknown as { leasetrailActiveFleet?: Fleet };

export function setActiveFleet(fleet: Fleet | undefined): void {
  slot.leasetrailActiveFleet = fleet;
}

export function getActiveFleet(): Fleet | undefined {
  return slot.leasetrailActiveFleet;
}
