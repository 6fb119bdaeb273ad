import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { LeaseApiServer } from '@/lib/sim/api-server';
import { waitFor } from './support';

type RawEvent = { type: string; object: { metadata?: { resourceVersion?: string } } };

type RawWatch = { events: RawEvent[]; ended: Promise<void>; pause: () => void; resume: () => void; close: () => void };

let server: LeaseApiServer;
const open: RawWatch[] = [];

afterEach(async () => {
  for (const watch of open.splice(0)) watch.close();
  await server.stop();
});

// A plain HTTP reader that can stop reading, so the server's writes back up as they do for a slow controller.
function openRawWatch(query: string): Promise<RawWatch> {
  return new Promise((resolve, reject) => {
    const events: RawEvent[] = [];
    let resolveEnded: () => void = () => undefined;
    const ended = new Promise<void>((done) => (resolveEnded = done));
    const req = http.get(`${server.url}/apis/coordination.k8s.io/v1/namespaces/default/leases?watch=true&${query}`, { headers: { Accept: 'application/json' } }, (res) => {
      let pending = '';
      res.setEncoding('utf8');
      res.on('data', (text: string) => {
        pending += text;
        const lines = pending.split('\n');
        pending = lines.pop()!;
        for (const line of lines) if (line !== '') events.push(JSON.parse(line) as RawEvent);
      });
      res.on('end', resolveEnded);
      res.on('close', resolveEnded);
      const watch: RawWatch = { events, ended, pause: () => res.pause(), resume: () => res.resume(), close: () => req.destroy() };
      open.push(watch);
      resolve(watch);
    });
    req.on('error', reject);
  });
}

async function startServer(bookmarkIntervalMs: number): Promise<void> {
  server = new LeaseApiServer({ name: 'held', bookmarkIntervalMs, historySize: 100_000 });
  await server.start();
}

const padding = 'x'.repeat(2_000);

// Enough held bytes (~25 MiB) that a reader that stopped reading blocks the release on backpressure.
function writeBacklog(name: string, updates: number): void {
  let lease = server.store.create('default', { metadata: { name, annotations: { padding } }, spec: { holderIdentity: 'a' } }, { manager: 'test' });
  for (let k = 0; k < updates; k += 1) {
    lease = server.store.update('default', name, { metadata: { name, resourceVersion: lease.metadata.resourceVersion, annotations: { padding } }, spec: { holderIdentity: `h${k}` } }, { manager: 'test' }).lease;
  }
}

function versionOf(event: RawEvent): number {
  return Number(event.object.metadata?.resourceVersion);
}

/** Every bookmark carries a version no later than the last event written before it. */
function expectNoBookmarkAhead(events: RawEvent[]): void {
  let lastEvent = 0;
  for (const event of events) {
    if (event.type === 'BOOKMARK') expect(versionOf(event), 'bookmark ahead of events still queued').toBeLessThanOrEqual(lastEvent);
    else lastEvent = versionOf(event);
  }
}

describe('held watches (the ingest benchmark backlog)', () => {
  it('never bookmarks ahead of events still queued while a release waits for a slow reader', async () => {
    await startServer(20);
    const start = String(server.store.revision);
    const watch = await openRawWatch(`resourceVersion=${start}&allowWatchBookmarks=true`);
    server.holdWatches();
    writeBacklog('busy', 12_000);
    watch.pause();
    let released = false;
    const release = server.releaseWatches().then(() => (released = true));
    const bookmarksBefore = server.stats().watchEvents.bookmarks;
    await waitFor(() => server.stats().watchEvents.bookmarks >= bookmarksBefore + 3, 10_000, 'bookmarks during the release');
    expect(released, 'the release should still be waiting for the reader').toBe(false);
    watch.resume();
    await release;
    await waitFor(() => watch.events.some((event) => event.type !== 'BOOKMARK' && versionOf(event) === server.store.revision), 20_000, 'the whole backlog');
    expectNoBookmarkAhead(watch.events);
    expect(watch.events.filter((event) => event.type !== 'BOOKMARK')).toHaveLength(12_001);
  });

  it('gives a watch opened during a hold bookmarks at its own starting version', async () => {
    await startServer(20);
    server.holdWatches();
    writeBacklog('busy', 10);
    const start = server.store.revision;
    const watch = await openRawWatch(`resourceVersion=${start}&allowWatchBookmarks=true`);
    writeBacklog('late', 0);
    const bookmark = await waitFor(() => watch.events.find((event) => event.type === 'BOOKMARK'), 5_000, 'a bookmark during the hold');
    expect(versionOf(bookmark)).toBe(start);
    expect(watch.events.filter((event) => event.type !== 'BOOKMARK')).toHaveLength(0);
  });

  it('finishes sending the backlog before a watch ends on its timeout during a release', async () => {
    await startServer(60_000);
    const start = String(server.store.revision);
    const watch = await openRawWatch(`resourceVersion=${start}&allowWatchBookmarks=true&timeoutSeconds=1`);
    server.holdWatches();
    writeBacklog('busy', 12_000);
    watch.pause();
    let released = false;
    const release = server.releaseWatches().then(() => (released = true));
    await waitFor(() => server.stats().watchEvents.timeouts >= 1, 10_000, 'the watch timeout');
    expect(released, 'the release should still be waiting for the reader').toBe(false);
    writeBacklog('late', 0);
    watch.resume();
    await release;
    await watch.ended;
    const delivered = watch.events.filter((event) => event.type !== 'BOOKMARK').map(versionOf);
    expect(delivered).toHaveLength(12_001);
    expect(delivered.every((version, index) => index === 0 || version > delivered[index - 1]!)).toBe(true);
    // The closing bookmark is where the client resumes: the last event it got, not the store's revision after the timeout.
    const last = watch.events.at(-1)!;
    expect(last.type).toBe('BOOKMARK');
    expect(versionOf(last)).toBe(delivered.at(-1));
    expect(server.store.revision).toBeGreaterThan(versionOf(last));
  });
});
