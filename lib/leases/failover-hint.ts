import type { AcquireCause } from './types';

// finishedAt: when the container ended, as the kubelet reported it (null: not reported); observedAt: when
// Leasetrail saw the restart (it ended at or before then, no more is known).
export type ContainerRestartFact = { id: string; pod: string; container: string; reason: string | null; exitCode: number | null; finishedAt: number | null; observedAt: number };

export type DegradedBandFact = { id: string; startedAt: number; endedAt: number | null; reason: 'renewals_stalled' | 'watch_failed'; stalledLeases: number; totalLeases: number };

export type FailoverFacts = {
  cause: AcquireCause | null;
  at: number;
  // When Leasetrail saw the takeover (our clock, as band times are).
  observedAt: number;
  fromHolder: string | null;
  toHolder: string | null;
  leaderlessMs: number | null;
  overlapMs: number | null;
  leaseDurationSeconds: number | null;
  // Restarts of the previous holder's pod's containers, and the cluster's API-server-degraded bands, near the failover.
  restarts: readonly ContainerRestartFact[];
  bands: readonly DegradedBandFact[];
  // Other election leases of the cluster, and how many of them renewed while the previous holder was silent (null: unknown).
  otherLeases: number;
  otherLeasesRenewed: number | null;
};

export type HintKind = 'coordinated_handover' | 'api_server' | 'container_restart' | 'released' | 'process' | 'not_observed' | 'no_evidence';

export type Evidence = { type: 'restart' | 'band' | 'renewals'; id: string | null; text: string };

export type FailoverHint = { kind: HintKind; text: string; evidence: Evidence[] };

// How long before the silence a restart still explains it (a process can hang a while before it dies);
// a restart after the takeover is a consequence (client-go components exit once they lose), shown but no cause.
const bandSlackMs = 1_000;
const restartLeadMs = 60_000;
const restartLagMs = 1_000;
// Exported: the store reads restarts up to this long after each takeover, so the hint sees them all.
export const consequenceMs = 60_000;
// A process that dies on its own renewed at most one RetryPeriod before; one that exits because it lost
// the lease does so a RenewDeadline after its last renewal. Usual settings put RetryPeriod below and
// RenewDeadline above 30 % of the lease duration (2 s / 10 s of 15 s; 15 s / 40 s of 60 s; 7.5 s / 15 s of 30 s).
const restartCauseShare = 0.3;
const containerTimePrecisionMs = 1_000;
// "The holder stopped alone" needs the others to have mostly gone on, as the degraded detector judges a cluster:
// more than half of the other election leases, and at least two of them (one lease says little of an API server).
const processMinRenewed = 2;
const processMinShare = 0.5;

// What a band records, in the words the hint's evidence and the timelines share.
export function describeBandFact(band: Pick<DegradedBandFact, 'reason' | 'stalledLeases' | 'totalLeases'>): string {
  return band.reason === 'watch_failed' ? 'watch of the cluster failing' : `${band.stalledLeases} of ${band.totalLeases} leases overdue at once`;
}

// When the previous holder last renewed, from the transition alone: the new tenure started
// leaderlessMs after that renewal's lease ran out (or overlapMs before it).
export function getSilentSince(facts: Pick<FailoverFacts, 'at' | 'leaderlessMs' | 'overlapMs' | 'leaseDurationSeconds'>): number | null {
  if (facts.leaseDurationSeconds === null) return null;
  return facts.at - (facts.leaderlessMs ?? 0) + (facts.overlapMs ?? 0) - facts.leaseDurationSeconds * 1000;
}

function seconds(ms: number): string {
  const s = Math.abs(ms) / 1000;
  return s < 10 ? `${s.toFixed(1).replace(/\.0$/, '')} s` : `${Math.round(s)} s`;
}

function describeTermination(restart: ContainerRestartFact): string {
  return `${restart.reason ?? 'terminated'}${restart.exitCode !== null ? ` (exit ${restart.exitCode})` : ''}`;
}

function describeRestart(restart: ContainerRestartFact, expiresAt: number | null): string {
  const how = describeTermination(restart);
  if (restart.finishedAt === null) return `container ${restart.container} of ${restart.pod} restarted, by ${new Date(restart.observedAt).toISOString()} at the latest (when it ended was not reported): ${how}`;
  if (expiresAt === null) return `container ${restart.container} of ${restart.pod} restarted: ${how}`;
  const delta = expiresAt - restart.finishedAt;
  return `previous holder's container restarted ${seconds(delta)} ${delta >= 0 ? 'before' : 'after'} expiry: ${how}`;
}

// Exit codes above 128 up to 128 + 64 are deaths by signal (137 SIGKILL, 143 SIGTERM); 255 is klog.Fatal's own exit.
function isOwnExit(restart: ContainerRestartFact): boolean {
  return restart.reason !== 'OOMKilled' && restart.exitCode !== null && !(restart.exitCode > 128 && restart.exitCode <= 192);
}

// Evidence first, never a guess: each hint names what was recorded, and says so when nothing was.
export function buildFailoverHint(facts: FailoverFacts): FailoverHint {
  if (facts.cause === 'unknown' || facts.cause === null) return buildNotObservedHint(facts);
  const silentSince = getSilentSince(facts);
  const expiresAt = facts.leaseDurationSeconds === null || silentSince === null ? null : silentSince + facts.leaseDurationSeconds * 1000;
  const windowStart = silentSince ?? facts.at;
  // A restart whose end was not reported ended by the time it was seen: near the failover if seen in its window.
  const restarts = facts.restarts.filter((restart) => {
    const endedBy = restart.finishedAt ?? restart.observedAt;
    return endedBy >= windowStart - restartLeadMs && (restart.finishedAt !== null ? restart.finishedAt <= facts.at + restartLagMs : endedBy <= facts.at + consequenceMs);
  });
  const restartEvidence = restarts.map((restart): Evidence => ({ type: 'restart', id: restart.id, text: describeRestart(restart, expiresAt) }));
  const afterwards = facts.restarts
    .filter((restart) => restart.finishedAt !== null && restart.finishedAt > facts.at + restartLagMs && restart.finishedAt <= facts.at + consequenceMs)
    .map((restart): Evidence => ({ type: 'restart', id: restart.id, text: `afterwards: container ${restart.container} exited ${seconds(restart.finishedAt! - facts.at)} after the takeover: ${describeTermination(restart)}` }));
  if (facts.cause === 'preferred_holder') {
    return { kind: 'coordinated_handover', text: `coordinated election: the lease named ${facts.toHolder ?? 'another candidate'} its preferred holder (spec.preferredHolder), who took it over`, evidence: restartEvidence };
  }
  // A holder that released ran its own release code: whatever its container did next (a clean exit 0 on a
  // stop, a rollout) followed the release. A released lease never expires, so no time is measured against expiry.
  if (facts.cause === 'release') {
    return { kind: 'released', text: 'the previous holder released the lease (clean shutdown or hand-off)', evidence: restarts.map((restart): Evidence => ({ type: 'restart', id: restart.id, text: describeRestart(restart, null) })) };
  }
  // A band starts at the last renewal seen before the stall. One that starts within a second of our seeing the
  // takeover starts at the takeover: that was a write the API server took, so the band does not explain it.
  const bands = facts.bands.filter((band) => band.startedAt <= facts.at && band.startedAt < facts.observedAt - bandSlackMs && (band.endedAt === null || band.endedAt >= windowStart));
  const bandEvidence: Evidence[] = bands.map((entry) => ({ type: 'band', id: entry.id, text: describeBandFact(entry) }));
  // A container that ended as its holder went silent explains the silence, unless the cluster was already
  // degraded then: a process that exits after losing its lease in an API server stall is a consequence.
  // Container times are whole seconds, so "before the band" must hold with a second to spare, and so must
  // "soon enough" for a process that exited on its own (it may be client-go's exit after losing).
  const bandStart = bands.length === 0 ? null : Math.min(...bands.map((band) => band.startedAt));
  const causing =
    silentSince === null || facts.leaseDurationSeconds === null
      ? []
      : restarts.filter(
          (restart) =>
            restart.finishedAt !== null &&
            restart.finishedAt + (isOwnExit(restart) ? containerTimePrecisionMs : 0) <= silentSince + facts.leaseDurationSeconds! * 1000 * restartCauseShare &&
            (bandStart === null || restart.finishedAt + containerTimePrecisionMs <= bandStart),
        );
  if (causing.length > 0) return { kind: 'container_restart', text: describeRestart(causing[0]!, expiresAt), evidence: [...restartEvidence, ...bandEvidence] };
  if (bands.length > 0) {
    const band = bands[0]!;
    const what = band.reason === 'watch_failed' ? 'the watch of the cluster failed' : `${band.stalledLeases} of ${band.totalLeases} leases of the cluster stopped renewing together`;
    const wentSilentInside = silentSince !== null && band.startedAt <= silentSince ? 'the previous holder went silent inside it; ' : '';
    const where = band.endedAt === null || band.endedAt >= facts.at ? 'the failover happened inside it' : `${wentSilentInside}it ended ${seconds(facts.at - band.endedAt)} before the takeover`;
    return { kind: 'api_server', text: `${what}: the API server or etcd, not the process; ${where}`, evidence: [...bandEvidence, ...restartEvidence] };
  }
  // A restart whose end was not reported may as well have followed the takeover: evidence, never the hint.
  // A process that exited on its own well after its last renewal had already stopped renewing: client-go exits
  // (klog.Fatal, 255) once RenewDeadline passes without a renewal. That exit is shown, never the hint. A kill
  // (OOMKilled, a signal) is no such consequence: a process that hung under memory pressure, then was killed, is.
  const isConsequence = (restart: ContainerRestartFact) => silentSince !== null && restart.finishedAt !== null && isOwnExit(restart);
  const timed = restartEvidence.filter((_, index) => restarts[index]!.finishedAt !== null && !isConsequence(restarts[index]!));
  const untimed = restartEvidence.filter((_, index) => restarts[index]!.finishedAt === null);
  if (timed.length > 0) return { kind: 'container_restart', text: timed[0]!.text, evidence: restartEvidence };
  const late: Evidence[] = restarts
    .filter(isConsequence)
    .map((restart): Evidence => {
      const sinceMs = restart.finishedAt! - silentSince!;
      return { type: 'restart', id: restart.id, text: `previous holder's container exited ${seconds(sinceMs)} ${sinceMs >= 0 ? 'after' : 'before'} its last renewal: ${describeTermination(restart)}` };
    });
  const renewed = facts.otherLeasesRenewed;
  if (renewed !== null && renewed >= processMinRenewed && renewed > facts.otherLeases * processMinShare) {
    const text = `the previous holder stopped renewing alone while ${renewed} of ${facts.otherLeases} other leases of the cluster kept renewing: points at the process or its node, not the API server`;
    return { kind: 'process', text, evidence: [{ type: 'renewals', id: null, text: `${renewed} of ${facts.otherLeases} other election leases renewed meanwhile` }, ...late, ...untimed, ...afterwards] };
  }
  const recorded = late.length > 0 ? "the previous holder's container exited only after it had stopped renewing; no degraded band recorded" : 'no restart or degraded band recorded';
  const text =
    facts.otherLeases === 0
      ? `${late.length > 0 ? `${recorded}, and no` : 'no restart, band or'} other lease of the cluster recorded to tell process from API server`
      : renewed !== null && renewed > 0
        ? `${recorded}; only ${renewed} of ${facts.otherLeases} other election leases renewed meanwhile, too few to tell process from API server`
        : `${recorded} around this failover`;
  return { kind: 'no_evidence', text, evidence: [...late, ...untimed, ...afterwards] };
}

// A change Leasetrail did not see is never judged; a band around it is shown, since a failing watch or a
// stalled API server is often why it went unseen.
function buildNotObservedHint(facts: FailoverFacts): FailoverHint {
  const windowStart = facts.at - (facts.leaseDurationSeconds ?? 0) * 1000;
  const bands = facts.bands.filter((band) => band.startedAt <= facts.observedAt && (band.endedAt === null || band.endedAt >= windowStart));
  const text = 'Leasetrail did not see this change happen (blind spot or missed transitions): no evidence to judge it';
  if (bands.length === 0) return { kind: 'not_observed', text, evidence: [] };
  return {
    kind: 'not_observed',
    text: `Leasetrail did not see this change happen; the cluster's API server was degraded around it (${describeBandFact(bands[0]!)}), which may be why, but the change itself is not judged`,
    evidence: bands.map((band) => ({ type: 'band', id: band.id, text: describeBandFact(band) })),
  };
}
