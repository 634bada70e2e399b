import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { fromZodError } from './errors';

type Schemas = { body?: z.ZodType; query?: z.ZodType; params?: z.ZodType };

/** The one validation middleware: parsed values replace the raw ones, a failure is a 400 naming the field. */
export function validate(schemas: Schemas): RequestHandler {
  return (req, _res, next) => {
    for (const where of ['params', 'query', 'body'] as const) {
      const schema = schemas[where];
      if (!schema) continue;
      const result = schema.safeParse(where === 'body' ? (req.body ?? {}) : req[where]);
      if (!result.success) return next(fromZodError(result.error, where));
      // Express 5 makes req.query a getter; define it on the request so handlers see the parsed value.
      Object.defineProperty(req, where, { value: result.data, writable: true, configurable: true, enumerable: true });
    }
    next();
  };
}
