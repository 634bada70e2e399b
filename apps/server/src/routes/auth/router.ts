import {
  loginRequestSchema,
  loginResponseSchema,
  logoutRequestSchema,
  mfaRequestSchema,
  refreshRequestSchema,
  tokenPairSchema,
} from '@atrium/protocol';
import { logout, refresh } from '../../auth/sessions';
import { completeMfa, login } from '../../auth/sign-in';
import type { AppContext } from '../../context';
import { type RouteDef, route } from '../../http/routes';

export function authRoutes(ctx: AppContext): RouteDef[] {
  return [
    route({
      method: 'post',
      path: '/auth/login',
      auth: { public: true },
      schemas: { body: loginRequestSchema },
      response: { status: 200, schema: loginResponseSchema },
      async handler(req, res, { body }) {
        res.json(await login(ctx, body.email, body.password, { ip: req.ip ?? null }));
      },
    }),
    route({
      method: 'post',
      path: '/auth/mfa',
      auth: { public: true },
      schemas: { body: mfaRequestSchema },
      response: { status: 200, schema: tokenPairSchema },
      async handler(req, res, { body }) {
        res.json(await completeMfa(ctx, body, { ip: req.ip ?? null }));
      },
    }),
    route({
      method: 'post',
      path: '/auth/refresh',
      auth: { public: true },
      schemas: { body: refreshRequestSchema },
      response: { status: 200, schema: tokenPairSchema },
      async handler(req, res, { body }) {
        res.json(await refresh(ctx, body.refreshToken, { ip: req.ip ?? null }));
      },
    }),
    route({
      method: 'post',
      path: '/auth/logout',
      auth: { public: true },
      schemas: { body: logoutRequestSchema },
      response: { status: 204 },
      async handler(req, res, { body }) {
        await logout(ctx, body.refreshToken, { ip: req.ip ?? null });
        res.status(204).end();
      },
    }),
  ];
}
