import { matchesGlob } from './patterns';
import type { Subject } from './types';

// Alertmanager-style silences set up by matcher, ahead of time: they cover every alert — existing or
// not yet raised — whose rule and subject match, between startsAt and endsAt, unless expired early.
export type SilenceMatchers = { cluster: string; namespace: string; lease: string; rule: string };

export type MatcherSilence = { id: number; matchers: SilenceMatchers; startsAt: number; endsAt: number; expiredAt: number | null; comment: string; createdBy: string };

export type SilenceState = 'pending' | 'active' | 'expired';

export function silenceStateOf(silence: Pick<MatcherSilence, 'startsAt' | 'endsAt' | 'expiredAt'>, now: number): SilenceState {
  const endsAt = silence.expiredAt === null ? silence.endsAt : Math.min(silence.endsAt, silence.expiredAt);
  if (endsAt <= now) return 'expired';
  return silence.startsAt > now ? 'pending' : 'active';
}

// A cluster-wide subject (stale data) has no namespace or lease: only `*` matches the missing part.
function matchesPart(pattern: string, value: string | null): boolean {
  return value === null ? pattern === '*' : matchesGlob(pattern, value);
}

export function matchesSilence(matchers: SilenceMatchers, ruleName: string, subject: Subject): boolean {
  return matchesGlob(matchers.rule, ruleName) && matchesGlob(matchers.cluster, subject.cluster) && matchesPart(matchers.namespace, subject.namespace) && matchesPart(matchers.lease, subject.name);
}

export type SilenceCover = { until: number; silence: MatcherSilence };

// The active silence covering this alert longest, or null.
export function findCoveringSilence(silences: readonly MatcherSilence[], ruleName: string, subject: Subject, now: number): SilenceCover | null {
  let cover: SilenceCover | null = null;
  for (const silence of silences) {
    if (silenceStateOf(silence, now) !== 'active' || !matchesSilence(silence.matchers, ruleName, subject)) continue;
    const until = silence.expiredAt === null ? silence.endsAt : Math.min(silence.endsAt, silence.expiredAt);
    if (!cover || until > cover.until) cover = { until, silence };
  }
  return cover;
}

// Silences starting or ending later change what is notified: the engine looks again at those moments.
export function nextSilenceBoundary(silences: readonly MatcherSilence[], now: number): number | null {
  let next: number | null = null;
  for (const silence of silences) {
    for (const at of [silence.startsAt, silence.expiredAt === null ? silence.endsAt : Math.min(silence.endsAt, silence.expiredAt)]) {
      if (at > now && (next === null || at < next)) next = at;
    }
  }
  return next;
}
