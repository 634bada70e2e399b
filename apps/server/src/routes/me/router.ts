import {
  changePasswordSchema,
  meSchema,
  notificationPreferencesSchema,
  recoveryCodesSchema,
  totpConfirmSchema,
  totpDisableSchema,
  totpEnrolmentSchema,
} from '@atrium/protocol';
import type { Request } from 'express';
import {
  type AccountHolder,
  changeOwnPassword,
  confirmTotp,
  disableTotp,
  loadMe,
  startTotpEnrolment,
} from '../../auth/account';
import type { AppContext } from '../../context';
import { setArrivalEmails } from '../../email/preferences';
import { unauthorized } from '../../http/errors';
import { type RouteDef, route, userOf } from '../../http/routes';

/** The signed-in user, who may only ever act on their own account here. */
function holderOf(req: Request): AccountHolder {
  const user = userOf(req);
  return { tenantId: user.tenantId, userId: user.userId, ip: req.ip ?? null };
}

export function meRoutes(ctx: AppContext): RouteDef[] {
  const auth = { tokens: ['user'] } as const;
  const passwordChange = { tokens: ['user'], duringPasswordChange: true } as const;
  return [
    route({
      method: 'get',
      path: '/me',
      auth: passwordChange,
      response: { status: 200, schema: meSchema },
      async handler(req, res) {
        const me = await loadMe(ctx, holderOf(req));
        if (!me) throw unauthorized('invalid_token', 'This account no longer exists.');
        res.json(me);
      },
    }),
    route({
      method: 'post',
      path: '/me/password',
      auth: passwordChange,
      schemas: { body: changePasswordSchema },
      response: { status: 204 },
      async handler(req, res, { body }) {
        await changeOwnPassword(ctx, holderOf(req), body);
        res.status(204).end();
      },
    }),
    route({
      method: 'post',
      path: '/me/totp',
      auth,
      response: { status: 201, schema: totpEnrolmentSchema },
      async handler(req, res) {
        res.status(201).json(await startTotpEnrolment(ctx, holderOf(req)));
      },
    }),
    route({
      method: 'post',
      path: '/me/totp/confirm',
      auth,
      schemas: { body: totpConfirmSchema },
      response: { status: 200, schema: recoveryCodesSchema },
      async handler(req, res, { body }) {
        res.json(await confirmTotp(ctx, holderOf(req), body.code));
      },
    }),
    route({
      method: 'delete',
      path: '/me/totp',
      auth,
      schemas: { body: totpDisableSchema },
      response: { status: 204 },
      async handler(req, res, { body }) {
        await disableTotp(ctx, holderOf(req), body.password);
        res.status(204).end();
      },
    }),
    route({
      method: 'post',
      path: '/me/notifications',
      auth,
      schemas: { body: notificationPreferencesSchema },
      response: { status: 200, schema: notificationPreferencesSchema },
      async handler(req, res, { body }) {
        res.json(await setArrivalEmails(ctx.db, holderOf(req), body.emailOnArrival));
      },
    }),
  ];
}
