import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../env';

const patternList = z.array(z.string().min(1)).default([]);
const filter = z.object({ include: patternList, exclude: patternList }).strict().default({ include: [], exclude: [] });

const watchConfigSchema = z
  .object({
    contexts: filter,
    namespaces: filter,
    leases: filter,
    nodeHeartbeats: z.boolean().default(false),
  })
  .strict();

export type WatchConfig = z.infer<typeof watchConfigSchema>;
export type NameFilter = WatchConfig['contexts'];

export const defaultWatchConfig: WatchConfig = watchConfigSchema.parse({});

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

// An empty include list means "everything"; exclusions always win.
export function matchesFilter(name: string, filter: NameFilter): boolean {
  const included = filter.include.length === 0 || filter.include.some((pattern) => globToRegExp(pattern).test(name));
  return included && !filter.exclude.some((pattern) => globToRegExp(pattern).test(name));
}

export function parseWatchConfig(text: string, source: string): WatchConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (error) {
    throw new ConfigError(`${source}: not valid YAML or JSON: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  }
  const result = watchConfigSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'top level';
    throw new ConfigError(`${source}: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

export async function loadWatchConfig(path: string | undefined): Promise<WatchConfig> {
  if (!path) return defaultWatchConfig;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read LEASETRAIL_CONFIG ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return parseWatchConfig(text, path);
}
