import { isWellFormedText } from '@atrium/protocol';
import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { fromZodError, invalidInput } from './errors';

type Schemas = { body?: z.ZodType; query?: z.ZodType; params?: z.ZodType };

/** No request of this API nests deeper; anything deeper is an attack on the parser or the walker. */
export const MAX_INPUT_DEPTH = 32;

/**
 * A net under the protocol's primitives: whatever a schema says, a string with NUL or a lone surrogate (which the
 * database refuses or silently mangles) and absurd nesting never reach a handler. Iterative, so depth cannot overflow.
 */
function hostileInput(value: unknown, where: string): ReturnType<typeof invalidInput> | undefined {
  const stack: Array<{ value: unknown; path: string[] }> = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: node, path } = stack.pop()!;
    const field = path.length > 0 ? path.join('.') : where;
    if (path.length > MAX_INPUT_DEPTH) return invalidInput(where, 'is nested too deeply');
    if (typeof node === 'string') {
      if (node.includes('\u0000')) return invalidInput(field, 'must not contain NUL characters');
      if (!isWellFormedText(node)) return invalidInput(field, 'must be valid Unicode text');
    } else if (node !== null && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        if (!isWellFormedText(key) || key.includes('\u0000')) return invalidInput(where, 'has an invalid field name');
        stack.push({ value: child, path: [...path, key] });
      }
    }
  }
  return undefined;
}

/** The one validation middleware: parsed values replace the raw ones, a failure is a 400 naming the field. */
export function validate(schemas: Schemas): RequestHandler {
  return (req, _res, next) => {
    for (const where of ['params', 'query', 'body'] as const) {
      const schema = schemas[where];
      if (!schema) continue;
      const input = where === 'body' ? (req.body ?? {}) : req[where];
      const refused = hostileInput(input, where);
      if (refused) return next(refused);
      const result = schema.safeParse(input);
      if (!result.success) return next(fromZodError(result.error, where));
      // Express 5 makes req.query a getter; define it on the request so handlers see the parsed value.
      Object.defineProperty(req, where, { value: result.data, writable: true, configurable: true, enumerable: true });
    }
    next();
  };
}
