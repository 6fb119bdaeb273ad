import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createKubeConfig } from '@/lib/sim/kubeconfig';
import { LineSplitter, openWatch, WatchHttpError } from '@/lib/kube/watch-stream';

describe('LineSplitter', () => {
  it('cuts newline-delimited text from arbitrary byte chunks, multi-byte characters included', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    const bytes = Buffer.from('{"a":"zß€"}\r\n\n{"b":"😀"}\n{"c":1}', 'utf8');
    // One byte at a time: every multi-byte character is split across chunks.
    for (let i = 0; i < bytes.length; i += 1) splitter.push(bytes.subarray(i, i + 1));
    splitter.end();
    expect(lines).toEqual(['{"a":"zß€"}', '{"b":"😀"}', '{"c":1}']);
  });
});

let server: http.Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function serve(handler: http.RequestListener): Promise<string> {
  server = http.createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('openWatch', () => {
  it('delivers every event of a stream written in odd-sized pieces, then reports the end once', async () => {
    let requested = '';
    const url = await serve((req, res) => {
      requested = req.url ?? '';
      res.writeHead(200, { 'content-type': 'application/json' });
      const text = [1, 2, 3].map((n) => `${JSON.stringify({ type: 'MODIFIED', object: { metadata: { resourceVersion: String(n) } } })}\n`).join('') + 'not json\n';
      let offset = 0;
      const timer = setInterval(() => {
        res.write(text.slice(offset, offset + 7));
        offset += 7;
        if (offset >= text.length) {
          clearInterval(timer);
          res.end();
        }
      }, 1);
    });
    const events: Array<[string, unknown]> = [];
    const done: unknown[] = [];
    await new Promise<void>((resolve) => {
      void openWatch(createKubeConfig({ name: 'w', url }), '/apis/coordination.k8s.io/v1/leases', { resourceVersion: '7', allowWatchBookmarks: true }, (type, object) => events.push([type, object]), (error) => {
        done.push(error);
        resolve();
      });
    });
    expect(requested).toContain('watch=true');
    expect(requested).toContain('resourceVersion=7');
    expect(events.map(([, object]) => (object as { metadata: { resourceVersion: string } }).metadata.resourceVersion)).toEqual(['1', '2', '3']);
    // 'end' and 'close' both follow; let them run, then `done` must still have been called once.
    for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(done).toEqual([null]);
  });

  it('reports a non-200 answer as an error carrying the status code (410 means relist)', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(410, { 'content-type': 'application/json' });
      res.end('{"kind":"Status","code":410}');
    });
    const error = await new Promise<unknown>((resolve) => {
      void openWatch(createKubeConfig({ name: 'w', url }), '/apis/coordination.k8s.io/v1/leases', {}, () => undefined, resolve);
    });
    expect(error).toBeInstanceOf(WatchHttpError);
    expect((error as WatchHttpError).statusCode).toBe(410);
  });

  it('ends a silent stream with a TimeoutError, as client-node does', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200);
      res.flushHeaders();
    });
    const error = await new Promise<unknown>((resolve) => {
      void openWatch(createKubeConfig({ name: 'w', url }), '/apis/coordination.k8s.io/v1/leases', {}, () => undefined, resolve, { requestTimeoutMs: 50 });
    });
    expect((error as Error).name).toBe('TimeoutError');
  });
});

describe('openWatch on a busy event loop', () => {
  it('does not call a stream silent while its bytes wait unread behind work of this process', async () => {
    let response: http.ServerResponse | undefined;
    const line = (n: number) => `${JSON.stringify({ type: 'MODIFIED', object: { metadata: { resourceVersion: String(n) } } })}\n`;
    const url = await serve((_req, res) => {
      response = res;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(line(1));
    });
    const versions: string[] = [];
    const error = await new Promise<unknown>((resolve) => {
      void openWatch(
        createKubeConfig({ name: 'w', url }),
        '/apis/coordination.k8s.io/v1/leases',
        {},
        (_type, object) => {
          versions.push((object as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
          if (versions.length > 1) return;
          // Other work of this process (another stream's backlog being decoded) keeps it busy for 3
          // timeouts while the next event already waits on this socket: the timer is due before the
          // poll phase reads those bytes.
          setTimeout(() => {
            response!.end(line(2));
            const until = performance.now() + 300;
            while (performance.now() < until);
          }, 10);
        },
        resolve,
        { requestTimeoutMs: 100, encoding: 'json' },
      );
    });
    expect(error).toBeNull();
    expect(versions).toEqual(['1', '2']);
  });
});
