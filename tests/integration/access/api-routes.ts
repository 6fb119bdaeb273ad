import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { RouteHandler } from '../../../lib/http/define-route';

export const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

export type ApiRoute = { file: string; pattern: string; method: (typeof methods)[number]; handler: RouteHandler<never> };

const apiDir = path.resolve(__dirname, '../../../app/api');

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === 'route.ts' ? [full] : [];
  });
}

// Every exported handler of every app/api route file, read from the tree: a new route is in the
// matrix and the fuzz run the moment it exists.
export async function listApiRoutes(): Promise<ApiRoute[]> {
  const routes: ApiRoute[] = [];
  for (const file of routeFiles(apiDir).sort()) {
    const pattern = `/api/${path.relative(apiDir, path.dirname(file)).split(path.sep).join('/')}`;
    const exported = (await import(file)) as Record<string, unknown>;
    for (const method of methods) {
      const handler = exported[method];
      if (typeof handler === 'function') routes.push({ file, pattern, method, handler: handler as RouteHandler<never> });
    }
  }
  return routes;
}

export function paramNames(pattern: string): string[] {
  return [...pattern.matchAll(/\[(\w+)\]/g)].map((match) => match[1]!);
}

export function fillPattern(pattern: string, params: Record<string, string>): string {
  return pattern.replace(/\[(\w+)\]/g, (_, name: string) => encodeURIComponent(params[name] ?? 'x'));
}
