import { z } from 'zod';
import { ValidationError } from '../errors';

function acceptedKeys(schema: z.ZodType): string[] {
  const object = schema instanceof z.ZodPipe ? schema.in : schema;
  return object instanceof z.ZodObject ? Object.keys(object.shape) : [];
}

// A misspelt or repeated parameter must not quietly widen the answer, so both are errors.
// Empty values count as absent, as HTML forms send them for untouched fields.
export function parseQuery<T extends z.ZodType>(request: Request, schema: T): z.output<T> {
  const params = new URL(request.url).searchParams;
  const accepted = acceptedKeys(schema);
  const keys = [...new Set(params.keys())];

  const unknown = keys.filter((key) => !accepted.includes(key));
  if (unknown.length > 0) {
    const expected = accepted.length > 0 ? `accepted: ${accepted.join(', ')}` : 'this endpoint takes none';
    const noun = unknown.length === 1 ? 'parameter' : 'parameters';
    throw new ValidationError(
      `unknown query ${noun} ${unknown.join(', ')} (${expected})`,
      unknown.map((key) => ({ path: key, message: 'unknown query parameter' })),
    );
  }

  const repeated = keys.filter((key) => params.getAll(key).length > 1);
  if (repeated.length > 0) {
    throw new ValidationError(
      `invalid ${repeated[0]}: given more than once`,
      repeated.map((key) => ({ path: key, message: 'given more than once' })),
    );
  }

  const values = Object.fromEntries([...params.entries()].filter(([, value]) => value !== ''));
  return schema.parse(values);
}
