import type { z } from 'zod';
import { PayloadTooLargeError, ValidationError } from '../errors';
import { maxBodyBytes } from '../http/request-guard';

const maxDepth = 16;

async function readLimitedText(request: Request): Promise<string> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBodyBytes) {
      await reader.cancel();
      throw new PayloadTooLargeError(`the body is larger than ${maxBodyBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// Names the first string holding a NUL byte and refuses nesting deeper than any of our bodies has.
function assertCleanJson(value: unknown): void {
  const pending: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: '', depth: 0 }];
  while (pending.length > 0) {
    const item = pending.pop()!;
    if (typeof item.value === 'string') {
      if (item.value.includes('\0')) throw new ValidationError(`invalid ${item.path || 'body'}: must not contain a NUL byte`, [{ path: item.path, message: 'NUL byte' }]);
      continue;
    }
    if (item.value === null || typeof item.value !== 'object') continue;
    if (item.depth >= maxDepth) throw new ValidationError(`invalid ${item.path || 'body'}: nested deeper than ${maxDepth} levels`, [{ path: item.path, message: 'too deep' }]);
    for (const [key, child] of Object.entries(item.value)) {
      if (key.includes('\0')) throw new ValidationError(`invalid ${item.path || 'body'}: a key contains a NUL byte`, [{ path: item.path, message: 'NUL byte' }]);
      pending.push({ value: child, path: item.path ? `${item.path}.${key}` : key, depth: item.depth + 1 });
    }
  }
}

// Bodies are JSON objects validated whole; a body that is not JSON gets an example of what is.
export async function parseJsonBody<T extends z.ZodType>(request: Request, schema: T, example: string): Promise<z.output<T>> {
  const text = await readLimitedText(request);
  if (text.trim() === '') throw new ValidationError(`the request needs a JSON body, e.g. ${example}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ValidationError(`the body must be JSON, e.g. ${example}`);
  }
  assertCleanJson(body);
  return schema.parse(body);
}

// For routes whose body is optional: an empty body reads as {}.
export async function parseOptionalJsonBody<T extends z.ZodType>(request: Request, schema: T, example: string): Promise<z.output<T>> {
  const text = await readLimitedText(request.clone());
  if (text.trim() === '') return schema.parse({});
  return parseJsonBody(request, schema, example);
}
