import { loginRequestSchema, logoutRequestSchema, mfaRequestSchema, refreshRequestSchema } from '@atrium/protocol';
import { completeMfa, login, logout, refresh } from '../../auth/sessions';
import type { AppContext } from '../../context';
import { type RouteDef, route } from '../../http/routes';

export function authRoutes(ctx: AppContext): RouteDef[] {
  return [
    route({
      method: 'post',
      path: '/auth/login',
      auth: { public: true },
      schemas: { body: loginRequestSchema },
      async handler(req, res) {
        res.json(await login(ctx, req.body.email, req.body.password, { ip: req.ip ?? null }));
      },
    }),
    route({
      method: 'post',
      path: '/auth/mfa',
      auth: { public: true },
      schemas: { body: mfaRequestSchema },
      async handler(req, res) {
        res.json(await completeMfa(ctx, req.body, { ip: req.ip ?? null }));
      },
    }),
    route({
      method: 'post',
      path: '/auth/refresh',
      auth: { public: true },
      schemas: { body: refreshRequestSchema },
      async handler(req, res) {
        res.json(await refresh(ctx, req.body.refreshToken, { ip: req.ip ?? null }));
      },
    }),
    route({
      method: 'post',
      path: '/auth/logout',
      auth: { public: true },
      schemas: { body: logoutRequestSchema },
      async handler(req, res) {
        await logout(ctx, req.body.refreshToken, { ip: req.ip ?? null });
        res.status(204).end();
      },
    }),
  ];
}
