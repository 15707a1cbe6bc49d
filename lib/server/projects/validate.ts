import type { z } from 'zod';
import { ServiceError } from './serviceError';

/** Parses input at a boundary; failures become a 400 naming each bad field in words a user understands. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const key = issue.path.length ? issue.path.join('.') : '_';
    fields[key] ??= issue.message;
  }
  const message = Object.entries(fields)
    .map(([field, msg]) => (field === '_' ? msg : msg))
    .join('; ');
  throw new ServiceError(400, 'invalid_input', message || 'Invalid input', fields);
}
