import { randomBytes } from 'node:crypto';
import {
  changePasswordSchema,
  meSchema,
  recoveryCodesSchema,
  totpConfirmSchema,
  totpDisableSchema,
  totpEnrolmentSchema,
} from '@atrium/protocol';
import QRCode from 'qrcode';
import { recordAudit } from '../../audit/record';
import { announceAccessChange, hashRecoveryCode, revokeAllSessions } from '../../auth/sessions';
import { generateTotpSecret, otpauthUri, verifyTotp } from '../../auth/totp';
import type { AppContext } from '../../context';
import { conflict, invalidInput, unauthorized } from '../../http/errors';
import { type RouteDef, route, userOf } from '../../http/routes';
import { hashNewPassword, verifyPassword } from '../../tenancy/passwords';
import { rolesOf } from '../../tenancy/users';

const RECOVERY_CODES = 10;
const recoveryCode = () => {
  const raw = randomBytes(5).toString('hex');
  return `${raw.slice(0, 5)}-${raw.slice(5)}`;
};

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
        const user = userOf(req);
        const me = await ctx.db.withTenant(user.tenantId, async (tx) => {
          const [row] = await tx.query<{ id: string; email: string; name: string; mfa: boolean }>(
            `SELECT u.id, u.email, u.name, c.totp_confirmed_at IS NOT NULL AS mfa
               FROM users u JOIN credentials c ON c.user_id = u.id WHERE u.id = $1`,
            [user.userId],
          );
          return (
            row && {
              id: row.id,
              email: row.email,
              name: row.name,
              mfaEnabled: row.mfa,
              roles: await rolesOf(tx, user.userId),
            }
          );
        });
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
        const user = userOf(req);
        const [cred] = await ctx.db.withTenant(user.tenantId, (tx) =>
          tx.query<{ password_hash: string }>('SELECT password_hash FROM credentials WHERE user_id = $1', [
            user.userId,
          ]),
        );
        if (!cred || !(await verifyPassword(cred.password_hash, body.currentPassword))) {
          throw invalidInput('currentPassword', 'is not your current password');
        }
        if (body.newPassword === body.currentPassword) {
          throw invalidInput('newPassword', 'must differ from your current password');
        }
        const hash = await hashNewPassword(body.newPassword, 'newPassword');
        await ctx.db.withTenant(user.tenantId, async (tx) => {
          await tx.query(
            `UPDATE credentials SET password_hash = $2, password_changed_at = now(), must_change_password = false,
                    temporary_password_used_at = NULL
              WHERE user_id = $1`,
            [user.userId, hash],
          );
          await revokeAllSessions(tx, user.userId);
          await recordAudit(tx, {
            actorType: 'user',
            actorId: user.userId,
            action: 'user.password_changed',
            targetType: 'user',
            targetId: user.userId,
            outcome: 'success',
            ip: req.ip ?? null,
          });
          await announceAccessChange(tx, user.userId);
        });
        ctx.access.forget(user.tenantId, user.userId);
        void ctx.events.wake();
        res.status(204).end();
      },
    }),
    route({
      method: 'post',
      path: '/me/totp',
      auth,
      response: { status: 201, schema: totpEnrolmentSchema },
      async handler(req, res) {
        const user = userOf(req);
        const secret = generateTotpSecret();
        const email = await ctx.db.withTenant(user.tenantId, async (tx) => {
          const [row] = await tx.query<{ email: string; enabled: boolean }>(
            `SELECT u.email, c.totp_confirmed_at IS NOT NULL AS enabled FROM users u JOIN credentials c ON c.user_id = u.id
              WHERE u.id = $1`,
            [user.userId],
          );
          if (row?.enabled) throw conflict('mfa_already_enabled', 'Two-step sign-in is already on. Turn it off first.');
          await tx.query('UPDATE credentials SET totp_secret = $2, totp_last_step = NULL WHERE user_id = $1', [
            user.userId,
            ctx.box.seal(secret, `totp:${user.userId}`),
          ]);
          return row!.email;
        });
        const uri = otpauthUri(secret, email);
        res
          .status(201)
          .json({ secret, otpauthUri: uri, qrSvg: await QRCode.toString(uri, { type: 'svg', margin: 2 }) });
      },
    }),
    route({
      method: 'post',
      path: '/me/totp/confirm',
      auth,
      schemas: { body: totpConfirmSchema },
      response: { status: 200, schema: recoveryCodesSchema },
      async handler(req, res, { body }) {
        const user = userOf(req);
        const codes = Array.from({ length: RECOVERY_CODES }, recoveryCode);
        await ctx.db.withTenant(user.tenantId, async (tx) => {
          const [cred] = await tx.query<{ totp_secret: string | null; totp_confirmed_at: Date | null }>(
            'SELECT totp_secret, totp_confirmed_at FROM credentials WHERE user_id = $1 FOR UPDATE',
            [user.userId],
          );
          if (!cred?.totp_secret) throw conflict('mfa_not_started', 'Start the set-up of two-step sign-in first.');
          if (cred.totp_confirmed_at) throw conflict('mfa_already_enabled', 'Two-step sign-in is already on.');
          const step = verifyTotp(
            ctx.box.open(cred.totp_secret, `totp:${user.userId}`).toString(),
            body.code,
            ctx.now(),
          );
          if (step === undefined) throw invalidInput('code', 'is not the current code of your authenticator app');
          await tx.query('UPDATE credentials SET totp_confirmed_at = now(), totp_last_step = $2 WHERE user_id = $1', [
            user.userId,
            step,
          ]);
          await tx.query('DELETE FROM recovery_codes WHERE user_id = $1', [user.userId]);
          for (const code of codes) {
            await tx.query('INSERT INTO recovery_codes (tenant_id, user_id, code_hash) VALUES ($1, $2, $3)', [
              user.tenantId,
              user.userId,
              hashRecoveryCode(code),
            ]);
          }
          await recordAudit(tx, {
            actorType: 'user',
            actorId: user.userId,
            action: 'user.mfa_enabled',
            targetType: 'user',
            targetId: user.userId,
            outcome: 'success',
            ip: req.ip ?? null,
          });
        });
        res.json({ recoveryCodes: codes });
      },
    }),
    route({
      method: 'delete',
      path: '/me/totp',
      auth,
      schemas: { body: totpDisableSchema },
      response: { status: 204 },
      async handler(req, res, { body }) {
        const user = userOf(req);
        const [cred] = await ctx.db.withTenant(user.tenantId, (tx) =>
          tx.query<{ password_hash: string }>('SELECT password_hash FROM credentials WHERE user_id = $1', [
            user.userId,
          ]),
        );
        if (!cred || !(await verifyPassword(cred.password_hash, body.password))) {
          throw invalidInput('password', 'is not your current password');
        }
        await ctx.db.withTenant(user.tenantId, async (tx) => {
          await tx.query(
            'UPDATE credentials SET totp_secret = NULL, totp_confirmed_at = NULL, totp_last_step = NULL WHERE user_id = $1',
            [user.userId],
          );
          await tx.query('DELETE FROM recovery_codes WHERE user_id = $1', [user.userId]);
          await recordAudit(tx, {
            actorType: 'user',
            actorId: user.userId,
            action: 'user.mfa_disabled',
            targetType: 'user',
            targetId: user.userId,
            outcome: 'success',
            ip: req.ip ?? null,
          });
        });
        res.status(204).end();
      },
    }),
  ];
}
