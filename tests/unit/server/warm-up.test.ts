import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { apiRoutesOfBuild, warmUp } from '../../../lib/server/warm-up';

type Line = { level: number; msg: string; routes?: number; failed?: string[] };

function capture(): { log: pino.Logger; lines: Line[] } {
  const lines: Line[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Line) });
  return { log, lines };
}

describe('apiRoutesOfBuild', () => {
  let root: string | undefined;
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('lists the API routes of the build (and /metrics), not its pages, with dynamic segments filled', async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'leasetrail-warm-up-'));
    await mkdir(path.join(root, '.next'));
    await writeFile(
      path.join(root, '.next', 'app-path-routes-manifest.json'),
      JSON.stringify({
        '/page': '/',
        '/audit/page': '/audit',
        '/leases/[cluster]/[namespace]/[name]/page': '/leases/[cluster]/[namespace]/[name]',
        '/api/health/route': '/api/health',
        '/api/alerts/[id]/ack/route': '/api/alerts/[id]/ack',
        '/api/leases/[cluster]/[namespace]/[name]/context/route': '/api/leases/[cluster]/[namespace]/[name]/context',
        '/api/docs/[...slug]/route': '/api/docs/[...slug]',
        '/metrics/route': '/metrics',
        '/icon.svg/route': '/icon.svg',
      }),
    );
    expect(apiRoutesOfBuild(root)).toEqual([
      '/api/alerts/warm-up/ack',
      '/api/docs/warm-up',
      '/api/health',
      '/api/leases/warm-up/warm-up/warm-up/context',
      '/metrics',
    ]);
  });

  it('is empty when run from source (no build manifest)', async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'leasetrail-warm-up-'));
    expect(apiRoutesOfBuild(root)).toEqual([]);
  });
});

describe('warmUp', () => {
  it('asks every route OPTIONS with the accepted Host, then GET /api/health, on a listener it closes', async () => {
    const seen: Array<{ method: string; url: string; host: string }> = [];
    const listener: http.RequestListener = (req, res) => {
      seen.push({ method: req.method!, url: req.url!, host: req.headers.host! });
      res.writeHead(req.method === 'OPTIONS' ? 204 : 200).end();
    };
    const { log, lines } = capture();
    const result = await warmUp({ listener, routes: ['/api/alerts/warm-up/ack', '/api/timeline'], host: 'leasetrail.example.com', log });
    expect(seen).toEqual([
      { method: 'OPTIONS', url: '/api/alerts/warm-up/ack', host: 'leasetrail.example.com' },
      { method: 'OPTIONS', url: '/api/timeline', host: 'leasetrail.example.com' },
      { method: 'GET', url: '/api/health', host: 'leasetrail.example.com' },
    ]);
    expect(result).toMatchObject({ routes: 2, failed: [] });
    expect(lines.map((line) => line.msg)).toEqual(['routes loaded ahead of the first request']);
  });

  it('does not wait for a body that never ends (a live stream), and reports routes that did not load without failing the start', async () => {
    const listener: http.RequestListener = (req, res) => {
      if (req.url === '/api/stream') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(': connected\n\n');
        return; // never ends
      }
      if (req.url === '/api/misdirected') return void res.writeHead(421).end();
      res.writeHead(req.url === '/api/broken' ? 500 : req.method === 'GET' ? 503 : 204).end();
    };
    const { log, lines } = capture();
    const result = await warmUp({ listener, routes: ['/api/broken', '/api/misdirected', '/api/stream'], host: 'localhost', log });
    // A refused Host (421) loaded nothing either; health answering 503 (no database yet) is not a failure to load.
    expect(result.failed).toEqual(['OPTIONS /api/broken: 500', 'OPTIONS /api/misdirected: 421']);
    expect(lines.at(-1)).toMatchObject({ level: 40, msg: 'some routes could not be loaded ahead of the first request', failed: result.failed });
  });

  it('gives up on a route that does not answer within its timeout, and goes on', async () => {
    const listener: http.RequestListener = (req, res) => {
      if (req.url === '/api/stuck') return; // no answer at all
      res.writeHead(204).end();
    };
    const { log } = capture();
    const result = await warmUp({ listener, routes: ['/api/stuck', '/api/health'], host: 'localhost', log, timeoutMs: 50 });
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]).toMatch(/^OPTIONS \/api\/stuck: /);
    expect(result.routes).toBe(2);
  });
});
