import type http from 'node:http';
import { storageOf, viewOf, type ContextEvent, type ContextObjects, type ContextResource, type KubeObject } from './context-objects';
import { ApiError, badRequestError, expiredError, methodNotAllowedError } from './status';

/** Which LeaseCandidate versions this API server serves: 1.33+ beta, 1.32 alpha2, or none (gate off). */
export type LeaseCandidateVersion = 'v1beta1' | 'v1alpha2';

type Route = { resource: ContextResource; namespace: string | undefined; name: string | undefined; apiVersion: string; listKind: string };

const routes: Array<{ prefix: string[]; resource: ContextResource; apiVersion: string; listKind: string; candidateVersion?: LeaseCandidateVersion }> = [
  { prefix: ['api', 'v1'], resource: 'pods', apiVersion: 'v1', listKind: 'PodList' },
  { prefix: ['api', 'v1'], resource: 'events', apiVersion: 'v1', listKind: 'EventList' },
  { prefix: ['apis', 'events.k8s.io', 'v1'], resource: 'events.k8s.io', apiVersion: 'events.k8s.io/v1', listKind: 'EventList' },
  { prefix: ['apis', 'coordination.k8s.io', 'v1beta1'], resource: 'leasecandidates', apiVersion: 'coordination.k8s.io/v1beta1', listKind: 'LeaseCandidateList', candidateVersion: 'v1beta1' },
  { prefix: ['apis', 'coordination.k8s.io', 'v1alpha2'], resource: 'leasecandidates', apiVersion: 'coordination.k8s.io/v1alpha2', listKind: 'LeaseCandidateList', candidateVersion: 'v1alpha2' },
];

const pathNames: Record<ContextResource, string> = { pods: 'pods', events: 'events', 'events.k8s.io': 'events', leasecandidates: 'leasecandidates' };

function matchRoute(segments: string[], candidateVersions: readonly LeaseCandidateVersion[]): Route | undefined {
  for (const route of routes) {
    if (route.candidateVersion && !candidateVersions.includes(route.candidateVersion)) continue;
    if (!route.prefix.every((part, i) => segments[i] === part)) continue;
    const rest = segments.slice(route.prefix.length).map(decodeURIComponent);
    const resource = pathNames[route.resource];
    const base = { resource: route.resource, apiVersion: route.apiVersion, listKind: route.listKind };
    if (rest.length === 1 && rest[0] === resource) return { ...base, namespace: undefined, name: undefined };
    if (rest[0] === 'namespaces' && rest[2] === resource && (rest.length === 3 || rest.length === 4)) return { ...base, namespace: rest[1], name: rest[3] };
  }
  return undefined;
}

function forbiddenError(route: Route): ApiError {
  const [group = ''] = route.apiVersion.includes('/') ? route.apiVersion.split('/') : [''];
  const resource = pathNames[route.resource];
  const scope = route.namespace === undefined ? 'at the cluster scope' : `in the namespace "${route.namespace}"`;
  return new ApiError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `${resource}${group ? `.${group}` : ''} is forbidden: User "system:serviceaccount:leasetrail:leasetrail" cannot list resource "${resource}" in API group "${group}" ${scope}`,
    reason: 'Forbidden',
    details: { group, kind: resource },
    code: 403,
  });
}

function send(res: http.ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

// Objects from get/list are already in the route's view; watch events carry the stored form (see viewOf).
function render(object: KubeObject, route: Route): KubeObject {
  return route.resource === 'leasecandidates' ? { ...object, apiVersion: route.apiVersion } : object;
}

/**
 * Serves pods, Events (one store, through core/v1 and events.k8s.io/v1) and LeaseCandidates (list, get, watch)
 * from the cluster's ContextObjects; answers false for any other path so the Lease API can go on routing it.
 */
export function serveContextRequest(
  objects: ContextObjects,
  candidateVersions: readonly LeaseCandidateVersion[],
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
  segments: string[],
  // Counts each request as "<resource> <verb>" (e.g. "events.k8s.io watch") and tells when a watch opens and closes.
  stats: { count: (key: string) => void; watching: (delta: 1 | -1) => void } = { count: () => undefined, watching: () => undefined },
): boolean {
  const route = matchRoute(segments, candidateVersions);
  if (!route) return false;
  const watchParam = url.searchParams.get('watch');
  const verb = route.name !== undefined ? 'get' : watchParam === 'true' || watchParam === '1' ? 'watch' : 'list';
  // A real API server answers pods and Events in protobuf to a client that prefers it, and the controller
  // decodes only Leases (and the watch envelope) from protobuf: such a request is counted apart, so a test
  // can say the controller never makes one. (This server answers JSON whatever is asked.)
  const asksProtobuf = (req.headers.accept ?? '').trim().toLowerCase().startsWith('application/vnd.kubernetes.protobuf');
  stats.count(`${route.resource} ${verb}${route.namespace === undefined && route.name === undefined ? ' (all namespaces)' : ''}${asksProtobuf ? ' (protobuf asked)' : ''}`);
  if (objects.isDenied(route.resource, route.namespace)) throw forbiddenError(route);
  if ((req.method ?? 'GET') !== 'GET') throw methodNotAllowedError('the simulated API server serves this resource read-only');
  if (route.name !== undefined) {
    const found = objects.get(route.resource, route.namespace!, route.name);
    if (!found) throw new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `${pathNames[route.resource]} "${route.name}" not found`, reason: 'NotFound', code: 404 });
    send(res, 200, render(found, route));
    return true;
  }
  if (verb === 'watch') {
    serveWatch(objects, route, res, url);
    stats.watching(1);
    res.on('close', () => stats.watching(-1));
    return true;
  }
  send(res, 200, {
    kind: route.listKind,
    apiVersion: route.apiVersion,
    metadata: { resourceVersion: String(objects.currentRevision) },
    items: objects.list(route.resource, route.namespace).map((object) => render(object, route)),
  });
  return true;
}

function serveWatch(objects: ContextObjects, route: Route, res: http.ServerResponse, url: URL): void {
  const rv = url.searchParams.get('resourceVersion') ?? '';
  if (rv !== '' && !/^\d+$/.test(rv)) throw badRequestError(`invalid resourceVersion: ${JSON.stringify(rv)}`);
  const timeoutParam = url.searchParams.get('timeoutSeconds');
  if (timeoutParam !== null && !/^\d+$/.test(timeoutParam)) throw badRequestError(`invalid timeoutSeconds: ${JSON.stringify(timeoutParam)}`);
  const backlog = rv === '' || rv === '0' ? 'initial' : objects.eventsSince(route.resource, Number(rv));
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  const write = (type: string, object: unknown) => res.write(`${JSON.stringify({ type, object })}\n`);
  if (backlog === 'expired') {
    write('ERROR', expiredError(`too old resource version: ${rv} (${objects.oldestRevision})`).status);
    res.end();
    return;
  }
  const matches = (event: ContextEvent) => event.resource === storageOf(route.resource) && (route.namespace === undefined || event.object.metadata.namespace === route.namespace);
  const deliver = (event: ContextEvent) => {
    if (matches(event)) write(event.type, render(viewOf(route.resource, event.object), route));
  };
  if (backlog === 'initial') for (const object of objects.list(route.resource, route.namespace)) write('ADDED', render(object, route));
  else for (const event of backlog) deliver(event);
  const unsubscribe = objects.subscribe((event) => {
    if (objects.isDenied(route.resource, route.namespace)) {
      res.end();
      return;
    }
    deliver(event);
  });
  const timer = setTimeout(() => res.end(), (timeoutParam !== null && Number(timeoutParam) > 0 ? Number(timeoutParam) : 1800) * 1000);
  res.on('close', () => {
    clearTimeout(timer);
    unsubscribe();
  });
}
