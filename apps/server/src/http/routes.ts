import type { ErrorCode } from '@atrium/protocol';
import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { recordAudit } from '../audit/record';
import { type Principal, TokenError, type TokenType } from '../auth/tokens';
import type { AppContext } from '../context';
import type { Role } from '../tenancy/users';
import { AppError, forbidden, unauthorized } from './errors';
import { validate } from './validate';

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

/** Every route says who may call it. There is no default: a route without `auth` does not compile or register. */
export type AuthSpec =
  | { public: true }
  | {
      tokens: readonly TokenType[];
      roles?: readonly Role[];
      /** Also open to a session that must first replace a temporary password (only what that needs). */
      duringPasswordChange?: true;
    };

export interface RouteSchemas {
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
}

/** What a handler receives: each part parsed by its schema (with the schema's output type), undefined without one. */
export type RouteInput<S extends RouteSchemas> = {
  [K in keyof Required<RouteSchemas>]: K extends keyof S
    ? S[K] extends z.ZodType
      ? z.output<S[K]>
      : S[K] extends undefined
        ? undefined
        : unknown
    : undefined;
};

/** The success answer of a route, for the OpenAPI document (the error body is shared by all). */
export interface RouteResponse {
  status: 200 | 201 | 202 | 204;
  /** The JSON body; none for 204 or for a body that is not JSON (`contentType`). */
  schema?: z.ZodType;
  /** A body that is not JSON (an image, an event stream). */
  contentType?: readonly string[];
  /** Further success statuses with the same body (an idempotent replay answers 200, a pending poll 202). */
  alsoStatus?: readonly (200 | 201 | 202)[];
  description?: string;
}

export interface RouteDef<S extends RouteSchemas = RouteSchemas> {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  path: string;
  auth: AuthSpec;
  schemas?: S;
  response?: RouteResponse;
  summary?: string;
  // Method syntax on purpose: parameters are then bivariant, so every typed route fits the one registry type.
  handler(req: Request, res: Response, input: RouteInput<S>): unknown;
}

/** A route definition whose handler is typed by its own schemas; the registry holds them all alike. */
export function route<const S extends RouteSchemas = Record<never, never>>(def: RouteDef<S>): RouteDef {
  // The one place types are erased: mountRoutes hands each handler exactly what its own schemas parsed.
  return def as unknown as RouteDef;
}

/** The authenticated principal of a route that declared tokens (never undefined there). */
export function principalOf(req: Request): Principal {
  if (!req.principal) throw new Error('principalOf used on a public route');
  return req.principal;
}

export function userOf(req: Request): Extract<Principal, { type: 'user' }> {
  const principal = principalOf(req);
  if (principal.type !== 'user') throw forbidden();
  return principal;
}

export function kioskOf(req: Request): Extract<Principal, { type: 'kiosk' }> {
  const principal = principalOf(req);
  if (principal.type !== 'kiosk') throw forbidden();
  return principal;
}

/** Verifies the bearer token, its token_type against the route's list, the roles, and (kiosks) revocation. */
export function authenticate(ctx: AppContext, spec: AuthSpec): RequestHandler {
  return async (req, _res, next) => {
    if ('public' in spec) return next();
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header) : null;
    if (!match) return next(unauthorized('unauthorized', 'Sign in to continue: this needs a bearer token.'));
    let principal: Principal;
    try {
      principal = await ctx.tokens.verifyBearer(match[1]!);
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      req.log?.warn({ reason: error.code, path: req.path }, 'rejected bearer token');
      return next(unauthorized(error.code, error.message));
    }
    const denied = async (reason: string, status: 401 | 403, code: ErrorCode, message: string) => {
      await ctx.db.withTenant(principal.tenantId, (tx) =>
        recordAudit(tx, {
          actorType: principal.type,
          actorId: principal.type === 'user' ? principal.userId : principal.kioskId,
          action: 'auth.denied',
          outcome: 'denied',
          ip: req.ip ?? null,
          details: { reason, method: req.method, route: req.route?.path ?? req.path },
        }),
      );
      return next(new AppError(status, code, message));
    };
    // A revoked device token is no token at all, whatever route it knocks on.
    if (principal.type === 'kiosk') {
      const kiosk = await ctx.db.withTenant(principal.tenantId, (tx) =>
        tx
          .selectFrom('kiosks')
          .select('revoked_at')
          .where('id', '=', principal.kioskId)
          .where('token_jti', '=', principal.jti)
          .executeTakeFirst(),
      );
      if (!kiosk || kiosk.revoked_at) {
        return denied('kiosk_revoked', 401, 'kiosk_revoked', 'This kiosk is no longer paired. Pair it again.');
      }
    }
    // A user's status, session version and roles come from the database (cached ≤ 1 s), not from the token alone:
    // disabling, a password reset or a demotion bites at the next request.
    if (principal.type === 'user') {
      const current = await ctx.access.current(principal.tenantId, principal.userId);
      if (!current?.active || current.sessionVersion !== principal.sessionVersion) {
        return denied('session_ended', 401, 'invalid_token', 'This session has ended. Sign in again.');
      }
      principal.roles = current.roles;
    }
    if (!spec.tokens.includes(principal.type)) {
      return denied('token_type', 403, 'wrong_token_type', `This needs a ${spec.tokens.join(' or ')} token.`);
    }
    if (principal.type === 'user' && principal.passwordChangeRequired && !spec.duringPasswordChange) {
      return denied(
        'password_change_required',
        403,
        'password_change_required',
        'Choose a new password first: the one you signed in with was temporary.',
      );
    }
    if (principal.type === 'user' && spec.roles && !principal.roles.some((grant) => spec.roles!.includes(grant.role))) {
      return denied('role', 403, 'forbidden', 'Your role does not allow this.');
    }
    req.principal = principal;
    next();
  };
}

/** Mounts route definitions with authentication and validation, in that order, and records them for the matrix test. */
export function mountRoutes(
  ctx: AppContext,
  router: import('express').Router,
  defs: RouteDef[],
  registry: RouteDef[],
): void {
  for (const def of defs) {
    if (!def.auth) throw new Error(`${def.method.toUpperCase()} ${def.path} declares no auth`);
    router[def.method](def.path, authenticate(ctx, def.auth), validate(def.schemas ?? {}), async (req, res) => {
      // validate() replaced each part that has a schema with its parsed value.
      const schemas = def.schemas ?? {};
      await def.handler(req, res, {
        body: schemas.body ? req.body : undefined,
        query: schemas.query ? req.query : undefined,
        params: schemas.params ? req.params : undefined,
      });
    });
    registry.push(def);
  }
}
