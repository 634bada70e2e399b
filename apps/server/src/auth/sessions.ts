import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoginResponse, TokenPair } from '@atrium/protocol';
import { compactUuid, expandUuid } from '@atrium/qr-token';
import { type AuditEvent, recordAudit } from '../audit/record';
import type { AppContext } from '../context';
import type { Queryable } from '../db';
import { emit } from '../events/outbox';
import { rateLimited, unauthorized } from '../http/errors';
import { rule, secondsToWait } from '../http/rate-limit';
import { hashPassword, verifyPassword } from '../tenancy/passwords';
import { normalizeEmail, rolesOf } from '../tenancy/users';
import { ACCESS_TOKEN_TTL_S } from './tokens';
import { verifyTotp } from './totp';

export const REFRESH_TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** Beyond the per-account ceiling each answer waits this much more per excess attempt, up to the maximum. */
const SLOWDOWN_STEP_MS = 250;
const SLOWDOWN_MAX_MS = 3000;
/** A temporary password (reset or an admin's initial one) that is never used stops working after this. */
export const TEMPORARY_PASSWORD_TTL_MS = 7 * 24 * 60 * 60 * 1000;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const invalidCredentials = () => unauthorized('invalid_credentials', 'The email or password is not right.');

// Unknown emails verify against this so they cost the same time as a wrong password.
let dummyHash: Promise<string> | undefined;
const getDummyHash = () => {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return dummyHash;
};

interface RequestInfo {
  ip: string | null;
}

/** Refresh tokens carry their tenant (not secret) so they can be looked up under row level security. */
function newRefreshToken(tenantId: string) {
  const token = `${compactUuid(tenantId)}.${randomBytes(32).toString('base64url')}`;
  return { token, hash: sha256(token) };
}

function tenantOfRefreshToken(token: string): string | undefined {
  const [tenant, secret] = token.split('.');
  if (!tenant || !secret || secret.length !== 43) return undefined;
  return expandUuid(tenant) ?? undefined;
}

async function audit(ctx: AppContext, tenantId: string, event: AuditEvent) {
  await ctx.db.withTenant(tenantId, (tx) => recordAudit(tx, event));
}

/**
 * Access token + a refresh token in a family (a new family for a fresh sign-in). A fresh sign-in with a temporary
 * password uses it up: it opens this one session, which can only choose a new password.
 */
async function issueSession(
  ctx: AppContext,
  tx: Queryable,
  tenantId: string,
  userId: string,
  familyId: string | null,
): Promise<TokenPair> {
  const [user] = await tx.query<{
    email: string;
    name: string;
    must_change_password: boolean;
    session_version: number;
  }>(
    `SELECT u.email, u.name, c.must_change_password, u.session_version
       FROM users u JOIN credentials c ON c.user_id = u.id WHERE u.id = $1`,
    [userId],
  );
  const passwordChangeRequired = user!.must_change_password;
  if (passwordChangeRequired && familyId === null) {
    const claimed = await tx.query(
      `UPDATE credentials SET temporary_password_used_at = now()
        WHERE user_id = $1 AND temporary_password_used_at IS NULL RETURNING 1`,
      [userId],
    );
    if (claimed.length === 0) throw invalidCredentials();
  }
  const roles = await rolesOf(tx, userId);
  const refresh = newRefreshToken(tenantId);
  await tx.query(
    `INSERT INTO refresh_tokens (tenant_id, user_id, family_id, token_hash, expires_at)
     VALUES ($1, $2, coalesce($3::uuid, gen_random_uuid()), $4, $5)`,
    [tenantId, userId, familyId, refresh.hash, new Date(ctx.now().getTime() + REFRESH_TOKEN_TTL_MS)],
  );
  return {
    accessToken: await ctx.tokens.signAccessToken({
      userId,
      tenantId,
      roles,
      passwordChangeRequired,
      sessionVersion: user!.session_version,
    }),
    refreshToken: refresh.token,
    expiresIn: ACCESS_TOKEN_TTL_S,
    user: { id: userId, email: user!.email, name: user!.name, roles },
    ...(passwordChangeRequired ? { passwordChangeRequired: true as const } : {}),
  };
}

/** The counters of one sign-in attempt: per address, per account from this address, per account from anywhere. */
function signInRules(account: string, ip: string | null) {
  const source = `${ip}`;
  return {
    perIp: rule('loginPerIp', source),
    perAccountSource: rule('loginPerAccountSource', `${account}|${source}`),
    perAccount: rule('loginPerAccount', account),
  };
}

/**
 * Counts the attempt before anything is checked. Too many from this address (or on this account from this address)
 * is a 429; too many on the account from everywhere only slows each answer, so its owner still gets in.
 */
async function admitSignIn(ctx: AppContext, rules: ReturnType<typeof signInRules>): Promise<void> {
  const all = [rules.perIp, rules.perAccountSource, rules.perAccount];
  const counts = await ctx.limits.count(all);
  const wait = secondsToWait([rules.perIp, rules.perAccountSource], counts);
  if (wait > 0) throw rateLimited(wait);
  const excess = (counts.find((c) => c.key === rules.perAccount.key)?.count ?? 0) - rules.perAccount.limit;
  if (excess > 0) await sleep(Math.min(SLOWDOWN_MAX_MS, SLOWDOWN_STEP_MS * excess));
}

/** Limit keys name an account without holding its email. */
const accountKey = (who: { userId: string } | { email: string }) =>
  'userId' in who ? `user:${who.userId}` : `email:${sha256(who.email).slice(0, 32)}`;

export async function login(
  ctx: AppContext,
  email: string,
  password: string,
  info: RequestInfo,
): Promise<LoginResponse> {
  const [lookup] = await ctx.db.withoutTenant((tx) =>
    tx.query<{ tenant_id: string; user_id: string }>('SELECT tenant_id, user_id FROM app_login_lookup($1)', [
      normalizeEmail(email),
    ]),
  );
  const rules = signInRules(
    accountKey(lookup ? { userId: lookup.user_id } : { email: normalizeEmail(email) }),
    info.ip,
  );
  await admitSignIn(ctx, rules);
  if (!lookup) {
    await verifyPassword(await getDummyHash(), password);
    ctx.logger.info({ action: 'auth.login', outcome: 'failure', reason: 'unknown_account' }, 'sign-in failed');
    throw invalidCredentials();
  }
  const { tenant_id: tenantId, user_id: userId } = lookup;
  const [cred] = await ctx.db.withTenant(tenantId, (tx) =>
    tx.query<{ password_hash: string; status: string; totp_confirmed_at: Date | null; temporary_used: boolean }>(
      `SELECT c.password_hash, u.status, c.totp_confirmed_at,
              c.must_change_password AND (c.temporary_password_used_at IS NOT NULL OR c.password_changed_at < $2)
                AS temporary_used
         FROM credentials c JOIN users u ON u.id = c.user_id WHERE c.user_id = $1`,
      [userId, new Date(ctx.now().getTime() - TEMPORARY_PASSWORD_TTL_MS)],
    ),
  );
  const base = { actorType: 'user' as const, actorId: userId, targetType: 'user', targetId: userId, ip: info.ip };
  const ok = cred ? await verifyPassword(cred.password_hash, password) : false;
  if (!ok || cred?.status !== 'active' || cred.temporary_used) {
    await audit(ctx, tenantId, {
      ...base,
      action: 'auth.login',
      outcome: 'failure',
      details: { reason: !ok ? 'wrong_password' : cred?.temporary_used ? 'temporary_password_spent' : 'disabled' },
    });
    throw invalidCredentials();
  }
  const session = await ctx.db.withTenant(tenantId, async (tx) => {
    if (cred.totp_confirmed_at) {
      await recordAudit(tx, { ...base, action: 'auth.login', outcome: 'success', details: { mfa: 'pending' } });
      return { mfaRequired: true as const, mfaToken: await ctx.tokens.signMfaToken({ userId, tenantId }) };
    }
    await recordAudit(tx, { ...base, action: 'auth.login', outcome: 'success' });
    return issueSession(ctx, tx, tenantId, userId, null);
  });
  // The password was right: it does not count toward the account's ceiling, and without a TOTP step to come this
  // address starts afresh (a pending TOTP step still counts its own failures).
  await ctx.limits.refund([rules.perAccount.key]);
  if (!('mfaRequired' in session)) await ctx.limits.reset([rules.perAccountSource.key]);
  return session;
}

class MfaRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export async function completeMfa(
  ctx: AppContext,
  body: { mfaToken: string; code?: string | undefined; recoveryCode?: string | undefined },
  info: RequestInfo,
): Promise<TokenPair> {
  const expired = () => unauthorized('invalid_token', 'The sign-in step has expired. Sign in again.');
  let who: { userId: string; tenantId: string; jti: string };
  try {
    who = await ctx.tokens.verifyMfaToken(body.mfaToken);
  } catch {
    throw expired();
  }
  // TOTP failures count toward the same limits as wrong passwords.
  const rules = signInRules(accountKey(who), info.ip);
  await admitSignIn(ctx, rules);
  const now = ctx.now();
  const base = {
    actorType: 'user' as const,
    actorId: who.userId,
    targetType: 'user',
    targetId: who.userId,
    ip: info.ip,
  };
  const result = await ctx.db
    .withTenant(who.tenantId, async (tx) => {
      const [cred] = await tx.query<{ totp_secret: string | null; totp_last_step: number | null; status: string }>(
        `SELECT c.totp_secret, c.totp_last_step, u.status FROM credentials c JOIN users u ON u.id = c.user_id
          WHERE c.user_id = $1 AND c.totp_confirmed_at IS NOT NULL FOR UPDATE OF c`,
        [who.userId],
      );
      if (!cred?.totp_secret || cred.status !== 'active') return { ok: false as const, reason: 'not_enrolled' };
      if (body.code) {
        const secret = ctx.box.open(cred.totp_secret, `totp:${who.userId}`).toString();
        const step = verifyTotp(secret, body.code, now);
        if (step === undefined) return { ok: false as const, reason: 'wrong_code' };
        if (cred.totp_last_step !== null && step <= cred.totp_last_step)
          return { ok: false as const, reason: 'replayed_code' };
        await tx.query('UPDATE credentials SET totp_last_step = $2 WHERE user_id = $1', [who.userId, step]);
      } else {
        const used = await tx.query(
          `UPDATE recovery_codes SET used_at = now() WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING id`,
          [who.userId, sha256(normalizeRecoveryCode(body.recoveryCode!))],
        );
        if (used.length === 0) return { ok: false as const, reason: 'wrong_recovery_code' };
      }
      // The token is spent by the sign-in it completes, atomically with it: a second use (or a racing one) fails.
      const [spent] = await ctx.limits.count([{ key: `mfa-token:${who.jti}`, limit: 1, windowSeconds: 3600 }], tx);
      if ((spent?.count ?? 0) > 1) throw new MfaRefused('token_reused');
      await recordAudit(tx, {
        ...base,
        action: 'auth.mfa',
        outcome: 'success',
        details: { method: body.code ? 'totp' : 'recovery_code' },
      });
      return { ok: true as const, session: await issueSession(ctx, tx, who.tenantId, who.userId, null) };
    })
    .catch((error) => {
      if (error instanceof MfaRefused) return { ok: false as const, reason: error.reason };
      throw error;
    });
  if (!result.ok) {
    await audit(ctx, who.tenantId, {
      ...base,
      action: 'auth.mfa',
      outcome: 'failure',
      details: { reason: result.reason },
    });
    if (result.reason === 'token_reused') throw expired();
    throw unauthorized('invalid_code', 'That code is not right. Use the current code from your authenticator app.');
  }
  await ctx.limits.refund([rules.perAccount.key]);
  await ctx.limits.reset([rules.perAccountSource.key]);
  return result.session;
}

export const normalizeRecoveryCode = (code: string) => code.replace(/[\s-]/g, '').toLowerCase();
export const hashRecoveryCode = (code: string) => sha256(normalizeRecoveryCode(code));

export async function refresh(ctx: AppContext, token: string, info: RequestInfo): Promise<TokenPair> {
  const invalid = () => unauthorized('invalid_token', 'The session has ended. Sign in again.');
  const tenantId = tenantOfRefreshToken(token);
  if (!tenantId) throw invalid();
  const outcome = await ctx.db.withTenant(tenantId, async (tx) => {
    const [row] = await tx.query<{
      id: string;
      user_id: string;
      family_id: string;
      expires_at: Date;
      rotated_at: Date | null;
      revoked_at: Date | null;
      status: string;
    }>(
      `SELECT r.id, r.user_id, r.family_id, r.expires_at, r.rotated_at, r.revoked_at, u.status
         FROM refresh_tokens r JOIN users u ON u.id = r.user_id WHERE r.token_hash = $1 FOR UPDATE OF r`,
      [sha256(token)],
    );
    if (!row) return { ok: false as const };
    const base = {
      actorType: 'user' as const,
      actorId: row.user_id,
      targetType: 'refresh_family',
      targetId: row.family_id,
      ip: info.ip,
    };
    if (row.rotated_at && !row.revoked_at) {
      // A rotated token came back: someone holds a copy. End every session of this sign-in.
      await tx.query('UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL', [
        row.family_id,
      ]);
      await recordAudit(tx, { ...base, action: 'auth.refresh_reuse', outcome: 'denied' });
      return { ok: false as const };
    }
    if (row.revoked_at || row.rotated_at || row.expires_at <= ctx.now() || row.status !== 'active') {
      return { ok: false as const };
    }
    await tx.query('UPDATE refresh_tokens SET rotated_at = now() WHERE id = $1', [row.id]);
    return { ok: true as const, session: await issueSession(ctx, tx, tenantId, row.user_id, row.family_id) };
  });
  if (!outcome.ok) throw invalid();
  return outcome.session;
}

export async function logout(ctx: AppContext, token: string, info: RequestInfo): Promise<void> {
  const tenantId = tenantOfRefreshToken(token);
  if (!tenantId) return;
  await ctx.db.withTenant(tenantId, async (tx) => {
    const [row] = await tx.query<{ user_id: string; family_id: string }>(
      'SELECT user_id, family_id FROM refresh_tokens WHERE token_hash = $1',
      [sha256(token)],
    );
    if (!row) return;
    await tx.query('UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL', [
      row.family_id,
    ]);
    await recordAudit(tx, {
      actorType: 'user',
      actorId: row.user_id,
      action: 'auth.logout',
      targetType: 'refresh_family',
      targetId: row.family_id,
      outcome: 'success',
      ip: info.ip,
    });
  });
}

/**
 * Ends every sign-in of a user (password change, disable, reset): refresh tokens are revoked, and the session version
 * moves on so access tokens already handed out stop working at their next request.
 */
export async function revokeAllSessions(tx: Queryable, userId: string): Promise<void> {
  await tx.query('UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [userId]);
  await tx.query('UPDATE users SET session_version = session_version + 1 WHERE id = $1', [userId]);
}

/**
 * Tells every replica that a user's access changed (disabled, re-roled, sessions ended): they drop the cached view of
 * the user and close the user's live event streams. The last step of the transaction (see emit).
 */
export async function announceAccessChange(tx: Queryable, userId: string): Promise<void> {
  await emit(tx, 'user.access_changed', null, { userId });
}
