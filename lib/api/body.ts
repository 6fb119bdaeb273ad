import type { z } from 'zod';
import { ValidationError } from '../errors';

// Bodies are JSON objects validated whole; a body that is not JSON gets an example of what is.
export async function parseJsonBody<T extends z.ZodType>(request: Request, schema: T, example: string): Promise<z.output<T>> {
  const text = await request.text();
  if (text.trim() === '') throw new ValidationError(`the request needs a JSON body, e.g. ${example}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ValidationError(`the body must be JSON, e.g. ${example}`);
  }
  return schema.parse(body);
}
