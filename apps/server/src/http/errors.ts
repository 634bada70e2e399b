import type { ErrorBody, ErrorCode } from '@atrium/protocol';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';

/** An error meant for the client: status, stable snake_case code, a human sentence. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

export const invalidInput = (field: string, message: string, details: Record<string, unknown> = {}) =>
  new AppError(400, 'invalid_input', `${field}: ${message}`, { field, ...details });
export const unauthorized = (code: ErrorCode = 'unauthorized', message = 'Sign in to continue.') =>
  new AppError(401, code, message);
/** 403: the caller may not do this; `code` names why when it is not the caller's role (e.g. walk_ins_disabled). */
export const forbidden = (message = 'You are not allowed to do that.', code: ErrorCode = 'forbidden') =>
  new AppError(403, code, message);
export const notFound = (what = 'resource') => new AppError(404, 'not_found', `No such ${what}.`);
/** 404 for a feature this server has not been set up for (single sign-on without OIDC_ISSUER). */
export const notConfigured = (code: ErrorCode, message: string) => new AppError(404, code, message);
/** 404 for a code someone typed (a kiosk pairing code) that matches nothing: a sentence, not `No such …`. */
export const unknownCode = (message: string) => new AppError(404, 'unknown_code', message);
export const conflict = (code: ErrorCode, message: string, details?: Record<string, unknown>) =>
  new AppError(409, code, message, details);
/** 410: it existed, and will not come back (start again). */
export const gone = (code: ErrorCode, message: string) => new AppError(410, code, message);
export const unprocessable = (code: ErrorCode, message: string, details?: Record<string, unknown>) =>
  new AppError(422, code, message, details);
export const rateLimited = (retryAfterSeconds: number) =>
  new AppError(
    429,
    'rate_limited',
    `Too many attempts. Try again in ${retryAfterSeconds} s.`,
    { retryAfterSeconds },
    {
      'Retry-After': String(retryAfterSeconds),
    },
  );
/** 429 for a poller that asks faster than it was told to (RFC 8628 `slow_down`). */
export const slowDown = (intervalSeconds: number) =>
  new AppError(429, 'slow_down', `Poll at most every ${intervalSeconds} seconds.`, undefined, {
    'Retry-After': String(intervalSeconds),
  });
/** 503: nothing is wrong with the request; try again later. */
export const unavailable = (code: ErrorCode, message: string) => new AppError(503, code, message);

/** An error body written by hand (outside Express's error handler), with a code from the list. */
export const errorBody = (code: ErrorCode, message: string): ErrorBody => ({ error: { code, message } });

/** Turns the first zod issue into a 400 naming the field, e.g. `visitor.name`. */
export function fromZodError(error: z.ZodError, where: 'body' | 'query' | 'params'): AppError {
  const issue = error.issues[0]!;
  const field = issue.path.length > 0 ? issue.path.join('.') : where;
  return invalidInput(field, issue.message, {
    issues: error.issues.slice(0, 10).map((i) => ({ field: i.path.join('.') || where, message: i.message })),
  });
}

export const routeNotFound: RequestHandler = (req, _res, next) => {
  next(new AppError(404, 'not_found', `No route for ${req.method} ${req.path}.`));
};

const hasBody = (req: Parameters<RequestHandler>[0]) =>
  req.headers['transfer-encoding'] !== undefined ||
  (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');

/** The API reads JSON only: any other body is refused, instead of being ignored and the request run without it. */
export const refuseNonJsonBody: RequestHandler = (req, _res, next) => {
  if (hasBody(req) && !req.is(['application/json', 'application/*+json'])) {
    return next(
      new AppError(415, 'unsupported_media_type', 'Send the request body as JSON (Content-Type: application/json).'),
    );
  }
  next();
};

/** body-parser errors carry `type` and a status; map them to our shape so client mistakes never become 500s. */
function fromBodyParser(err: { type?: string; status?: number; limit?: number }): AppError | undefined {
  switch (err.type) {
    case 'entity.parse.failed':
      return new AppError(400, 'malformed_json', 'The request body is not valid JSON.');
    case 'entity.too.large':
      return new AppError(413, 'payload_too_large', `The request body is larger than ${err.limit ?? 'allowed'} bytes.`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(415, 'unsupported_encoding', 'The request body encoding is not supported.');
    case 'request.aborted':
      return new AppError(400, 'request_aborted', 'The request was aborted.');
    default:
      if (err.status && err.status >= 400 && err.status < 500) {
        return new AppError(err.status, 'bad_request', 'The request could not be read.');
      }
      return undefined;
  }
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const appError =
      err instanceof AppError
        ? err
        : err instanceof z.ZodError
          ? fromZodError(err, 'body')
          : err instanceof URIError
            ? // The router could not percent-decode a path segment (a lone surrogate as bytes, a stray %).
              invalidInput('path', 'is not valid percent-encoded UTF-8')
            : fromBodyParser(err);
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    if (appError) {
      for (const [name, value] of Object.entries(appError.headers ?? {})) res.setHeader(name, value);
      res.status(appError.status).json(appError.toBody());
      return;
    }
    (req as { log?: Logger }).log?.error({ err }, 'unhandled error') ?? logger.error({ err }, 'unhandled error');
    res.status(500).json(errorBody('internal', 'Something went wrong on our side. It has been logged.'));
  };
}
