'use client';

import { useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { ChangeEvent } from '@/lib/changes/notice';
import { createNoticeApplier } from '@/lib/ui/live-invalidation';
import { liveHeartbeatMs } from '@/lib/ui/live-protocol';

export type LiveState = 'connecting' | 'live' | 'reconnecting';

const LiveContext = createContext<LiveState>('connecting');

export function useLiveState(): LiveState {
  return useContext(LiveContext);
}

// What the tab holding the stream tells the others over the BroadcastChannel: notices in the batches it
// coalesced them into (one message per notice cost the renderer more than the notices themselves).
type Relay = { type: 'events'; events: ChangeEvent[] } | { type: 'state'; state: LiveState } | { type: 'hello' };

const channelName = 'leasetrail-live';
const lockName = 'leasetrail-live-stream';
// Two missed heartbeats and a margin: past this, "Live" would be a lie.
const staleAfterMs = 2 * liveHeartbeatMs + 5_000;

// One EventSource per browser, not per tab: a browser opens at most six connections to a host, and a
// stream per tab froze the seventh tab. The tab holding a Web Lock owns the stream and relays every
// notice and its state to the other tabs over a BroadcastChannel; when it closes, the lock passes to
// another tab, which opens the stream. "Live" means a notice or heartbeat arrived recently.
export function LiveUpdates({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');
  useEffect(() => {
    let pending: ChangeEvent[] = [];
    let toRelay: ChangeEvent[] = [];
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    let lastBeatAt = Date.now();
    let current: LiveState = 'connecting';
    let isLeader = false;
    let source: EventSource | undefined;
    const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(channelName) : undefined;
    const release = new AbortController();

    const show = (next: LiveState) => {
      if (next === 'live') lastBeatAt = Date.now();
      if (next === current) return;
      current = next;
      setState(next);
    };
    const notices = createNoticeApplier(queryClient);
    // Notices arrive with every stored batch; coalescing them keeps refetches to a few per second.
    const flush = () => {
      const events = pending;
      pending = [];
      flushTimer = undefined;
      if (toRelay.length > 0) channel?.postMessage({ type: 'events', events: toRelay } satisfies Relay);
      toRelay = [];
      notices.apply(events);
    };
    const handle = (event: ChangeEvent) => {
      pending.push(event);
      flushTimer ??= setTimeout(flush, 250);
    };
    const announce = (next: LiveState) => {
      show(next);
      channel?.postMessage({ type: 'state', state: next } satisfies Relay);
    };

    const openStream = () => {
      source?.close();
      const stream = new EventSource('/api/stream');
      source = stream;
      stream.onopen = () => announce('live');
      stream.onerror = () => announce('reconnecting');
      const onNotice = (message: MessageEvent<string>) => {
        const event = JSON.parse(message.data) as ChangeEvent;
        if (current === 'live') lastBeatAt = Date.now();
        else announce('live');
        toRelay.push(event);
        handle(event);
      };
      stream.addEventListener('change', onNotice);
      stream.addEventListener('resync', onNotice);
      stream.addEventListener('heartbeat', () => announce('live'));
    };

    const lead = () => {
      isLeader = true;
      openStream();
    };

    if (channel) {
      channel.onmessage = (message: MessageEvent<Relay>) => {
        const relay = message.data;
        if (relay.type === 'hello') {
          if (isLeader) channel.postMessage({ type: 'state', state: current } satisfies Relay);
        } else if (!isLeader) {
          if (relay.type === 'state') show(relay.state);
          else {
            show('live');
            for (const event of relay.events) handle(event);
          }
        }
      };
    }

    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    if (locks && channel) {
      channel.postMessage({ type: 'hello' } satisfies Relay);
      // Held until this tab unmounts; the browser releases it when the tab closes.
      locks
        .request(lockName, { signal: release.signal }, () => {
          lead();
          return new Promise<void>((resolve) => release.signal.addEventListener('abort', () => resolve(), { once: true }));
        })
        .catch(() => undefined);
    } else {
      lead();
    }

    const watchdog = setInterval(() => {
      if (current !== 'live' || Date.now() - lastBeatAt < staleAfterMs) return;
      if (isLeader) {
        announce('reconnecting');
        openStream();
      } else {
        show('reconnecting');
        channel?.postMessage({ type: 'hello' } satisfies Relay);
      }
    }, 5_000);

    return () => {
      clearTimeout(flushTimer);
      notices.stop();
      clearInterval(watchdog);
      source?.close();
      release.abort();
      channel?.close();
    };
  }, [queryClient]);
  return <LiveContext.Provider value={state}>{children}</LiveContext.Provider>;
}
