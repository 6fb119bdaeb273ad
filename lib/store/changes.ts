import pg from 'pg';
import { getEnv } from '../env';
import { loggerFor } from '../log';
import { changesChannel, type ChangeEvent, type ChangeNotice } from '../changes/notice';

export type { ChangeEvent };

type Listener = (event: ChangeEvent) => void;

// isWanted: someone subscribed once. From then on the connection stays open (and is re-opened when it
// drops) even with no subscriber: closing it with the last tab made every fresh page load start with a
// `resync` and refetch everything it had just rendered.
type Hub = { listeners: Set<Listener>; client: pg.Client | undefined; connecting: boolean; retryTimer: NodeJS.Timeout | undefined; isWanted: boolean };

const log = loggerFor('changes');

// One LISTEN connection per process, shared by every open server-sent-events stream.
const slot = globalThis as unknown as { leasetrailChangesHub?: Hub };

function hub(): Hub {
  slot.leasetrailChangesHub ??= { listeners: new Set(), client: undefined, connecting: false, retryTimer: undefined, isWanted: false };
  return slot.leasetrailChangesHub;
}

function broadcast(event: ChangeEvent): void {
  for (const listener of hub().listeners) listener(event);
}

function scheduleReconnect(state: Hub, delayMs: number): void {
  if (state.retryTimer || !state.isWanted) return;
  state.retryTimer = setTimeout(() => {
    state.retryTimer = undefined;
    void connect(state);
  }, delayMs);
}

async function connect(state: Hub): Promise<void> {
  if (state.client || state.connecting || !state.isWanted) return;
  const url = getEnv().DATABASE_URL;
  if (!url) return;
  state.connecting = true;
  const client = new pg.Client({ connectionString: url, application_name: 'leasetrail-changes' });
  const drop = () => {
    if (state.client !== client) return;
    state.client = undefined;
    client.end().catch(() => undefined);
    scheduleReconnect(state, 1_000);
  };
  client.on('error', drop);
  client.on('end', drop);
  client.on('notification', (message) => {
    if (message.channel !== changesChannel || !message.payload) return;
    try {
      broadcast({ type: 'change', ...(JSON.parse(message.payload) as ChangeNotice) });
    } catch {
      log.warn({ payload: message.payload }, 'unreadable change notice');
    }
  });
  try {
    await client.connect();
    await client.query(`LISTEN ${changesChannel}`);
    state.client = client;
    // Whatever changed while we were not listening is unknown: every subscriber refetches. A subscriber
    // arriving while we listen gets no resync: its page was rendered from the database just before.
    broadcast({ type: 'resync' });
  } catch (error) {
    log.warn({ err: (error as Error).message }, 'cannot LISTEN for changes; retrying');
    client.removeAllListeners();
    client.end().catch(() => undefined);
    scheduleReconnect(state, 2_000);
  } finally {
    state.connecting = false;
  }
}

export function subscribeToChanges(listener: Listener): () => void {
  const state = hub();
  state.listeners.add(listener);
  state.isWanted = true;
  void connect(state);
  return () => {
    state.listeners.delete(listener);
  };
}
