import type { Store } from './client';
import type { TimeRange } from './time-range';
import type { TransitionRecord } from './transitions';
import type { WindowStartState } from '../timeline/window-start';
import { listWindowStartStates } from './window-start';

export type FleetTimelineInput = { cluster?: string; namespace?: string; range: TimeRange; leaseLimit: number };

export type FleetTimelineLease = { cluster: string; namespace: string; name: string; holderIdentity: string | null; holderSince: Date | null; stateAtStart: WindowStartState };

export type FleetTimelineTransition = TransitionRecord & { cluster: string; namespace: string; name: string };

export type FleetTimeline = { leases: FleetTimelineLease[]; transitions: FleetTimelineTransition[]; hasMoreLeases: boolean };

// Every elected lease of the filter, stacked on one axis: failovers that happen together line up.
export async function getFleetTimeline(store: Store, input: FleetTimelineInput): Promise<FleetTimeline> {
  const leases = await store.prisma.lease.findMany({
    where: {
      kind: 'election',
      deletedAt: null,
      ...(input.namespace ? { namespace: input.namespace } : {}),
      ...(input.cluster ? { cluster: { name: input.cluster } } : {}),
    },
    select: { id: true, namespace: true, name: true, holderIdentity: true, holderSince: true, cluster: { select: { name: true } } },
    orderBy: [{ cluster: { name: 'asc' } }, { namespace: 'asc' }, { name: 'asc' }],
    take: input.leaseLimit + 1,
  });
  const shown = leases.slice(0, input.leaseLimit);
  const byId = new Map(shown.map((lease) => [lease.id, lease]));
  const [rows, states] = await Promise.all([
    store.prisma.transition.findMany({
      where: { leaseId: { in: [...byId.keys()] }, at: { gte: input.range.from, lt: input.range.to } },
      orderBy: [{ at: 'asc' }, { id: 'asc' }],
      omit: { clusterId: true, eventKey: true },
    }),
    listWindowStartStates(store, [...byId.keys()], input.range.from),
  ]);
  return {
    leases: shown.map((lease) => ({
      cluster: lease.cluster.name,
      namespace: lease.namespace,
      name: lease.name,
      holderIdentity: lease.holderIdentity,
      holderSince: lease.holderSince,
      stateAtStart: states.get(lease.id) ?? { state: 'unknown', reason: 'not found' },
    })),
    transitions: rows.map(({ leaseId, ...row }) => {
      const lease = byId.get(leaseId)!;
      return { ...row, cluster: lease.cluster.name, namespace: lease.namespace, name: lease.name };
    }),
    hasMoreLeases: leases.length > input.leaseLimit,
  };
}
