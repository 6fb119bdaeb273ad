import type { SkewOptions } from './options';
import type { LeaseEvent, SkewReason, SkewState } from './types';

type SkewVerdict = { offsetMs: number; reason: SkewReason };

export function updateSkew(
  current: SkewState | null,
  holder: string,
  lagMs: number,
  observedAt: number,
  options: SkewOptions,
): { skew: SkewState; events: LeaseEvent[] } {
  const base: SkewState = current?.holder === holder ? current : { holder, lags: [], offsetMs: null, reason: null, since: null };
  const lags = [...base.lags, lagMs].slice(-options.windowSize);
  const verdict = judgeSkew(lags, options);
  // A suspicion ends only once a full window no longer supports it, so it cannot flap sample by sample.
  if (verdict === null) {
    if (base.reason === null || lags.length < options.windowSize) return { skew: { ...base, lags }, events: [] };
    return { skew: { holder, lags, offsetMs: null, reason: null, since: null }, events: [{ type: 'skew-cleared', holder, observedAt }] };
  }
  if (!isMaterialChange(base, verdict, options)) return { skew: { ...base, lags }, events: [] };
  const since = base.reason === null ? observedAt : (base.since ?? observedAt);
  return { skew: { holder, lags, ...verdict, since }, events: [{ type: 'skew', holder, ...verdict, startedAt: since, observedAt }] };
}

// A holder that stops leading (or a record reset) ends its open episode: skew belongs to a holder.
export function endSkew(skew: SkewState | null, observedAt: number): LeaseEvent[] {
  return skew !== null && skew.reason !== null ? [{ type: 'skew-cleared', holder: skew.holder, observedAt }] : [];
}

export function skewFromStored(holder: string | null, offsetMs: number | null): SkewState | null {
  if (holder === null || offsetMs === null) return null;
  return { holder, lags: [], offsetMs, reason: offsetMs > 0 ? 'future-renew' : 'steady-offset', since: null };
}

// lag = delay − offset and network delay only adds, so the smallest lag is the best offset estimate.
function judgeSkew(lags: number[], options: SkewOptions): SkewVerdict | null {
  const offsetMs = -Math.min(...lags);
  if (offsetMs > options.futureMarginMs) return { offsetMs, reason: 'future-renew' };
  if (lags.length >= options.windowSize && offsetMs < -options.steadyThresholdMs) return { offsetMs, reason: 'steady-offset' };
  return null;
}

function isMaterialChange(base: SkewState, verdict: SkewVerdict, options: SkewOptions): boolean {
  if (base.reason !== verdict.reason || base.offsetMs === null) return true;
  return Math.abs(verdict.offsetMs - base.offsetMs) >= options.changeMs;
}
