import { describe, expect, it } from 'vitest';
import { demoFleetOptions, demoOpening } from '../../../lib/sim/demo';
import { parseScenario } from '../../../lib/sim/scenario';

// The demo fleet's clusters and leases, in the order demoFleetOptions lists them.
const clusters = demoFleetOptions().clusters as unknown as Array<{ name: string; leases: Array<{ namespace: string; leaseName: string }> }>;
const fleet = { clusters: clusters.map((cluster) => ({ name: cluster.name, leases: cluster.leases.map((profile) => `${profile.namespace}/${profile.leaseName}`) })) };

describe('the demo opening', () => {
  it('stages two failovers and one leaderless period within the first two minutes', () => {
    const opening = parseScenario(demoOpening(fleet as Parameters<typeof demoOpening>[0]));
    expect(opening.steps.map((step) => step.op)).toEqual(['crashLeader', 'stopLeader', 'stopAllCandidates']);
    for (const step of opening.steps) expect(step.atMs).toBeLessThan(120_000);
    const leaderless = opening.steps.find((step) => step.op === 'stopAllCandidates');
    expect(leaderless && 'restartAfterMs' in leaderless ? leaderless.restartAfterMs : 0).toBeGreaterThanOrEqual(20_000);
  });

  it('leaves the control-plane leases alone', () => {
    const opening = demoOpening(fleet as Parameters<typeof demoOpening>[0]);
    for (const step of opening.steps) expect('lease' in step ? step.lease : '').not.toMatch(/kube-(scheduler|controller-manager)/);
  });
});
