import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoginResponse, TokenPair } from '@atrium/protocol';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import { type AuditEvent, recordAudit } from '../audit/record';
import type { SecretBox } from '../crypto/secret-box';
import type { Database } from '../db';
import { forbidden, rateLimited, unauthorized } from '../http/errors';
import { type RateLimits, rule, secondsToWait } from '../http/rate-limit';
import { hashPassword, verifyPassword } from '../tenancy/passwords';
import { normalizeEmail } from '../tenancy/users';
import { mayUsePassword } from './oidc-accounts';
import type { OidcClient } from './oidc-client';
import { invalidCredentials, issueSession, type RequestInfo, type SessionDeps } from './sessions';
import { verifyTotp } from './totp';

/** What signing in uses beyond issuing the session: the shared attempt counters and the log. */
export interface SignInDeps extends SessionDeps {
  limits: RateLimits;
  logger: Logger;
  /** With single sign-on on, OIDC_PASSWORD_LOGIN decides who may still use a password. */
  oidc?: Pick<OidcClient, 'settings'> | undefined;
}

/** Beyond the per-account ceiling each answer waits this much more per excess attempt, up to the maximum. */
const SLOWDOWN_STEP_MS = 250;
const SLOWDOWN_MAX_MS = 3000;
/** A temporary password (reset or an admin's initial one) that is never used stops working after this. */
export const TEMPORARY_PASSWORD_TTL_MS = 7 * 24 * 60 * 60 * 1000;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const normalizeRecoveryCode = (code: string) => code.replace(/[\s-]/g, '').toLowerCase();
/** Recovery codes are kept as hashes; dashes, spaces and case do not matter when one is typed. */
export const hashRecoveryCode = (code: string) => sha256(normalizeRecoveryCode(code));

// Unknown emails verify against this so they cost the same time as a wrong password.
let dummyHash: Promise<string> | undefined;
const getDummyHash = () => {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return dummyHash;
};

async function audit(db: Database, tenantId: string, event: AuditEvent) {
  await db.withTenant(tenantId, (tx) => recordAudit(tx, event));
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
async function admitSignIn(limits: RateLimits, rules: ReturnType<typeof signInRules>): Promise<void> {
  const all = [rules.perIp, rules.perAccountSource, rules.perAccount];
  const counts = await limits.count(all);
  const wait = secondsToWait([rules.perIp, rules.perAccountSource], counts);
  if (wait > 0) throw rateLimited(wait);
  const excess = (counts.find((c) => c.key === rules.perAccount.key)?.count ?? 0) - rules.perAccount.limit;
  if (excess > 0) await sleep(Math.min(SLOWDOWN_MAX_MS, SLOWDOWN_STEP_MS * excess));
}

/** Limit keys name an account without holding its email. */
const accountKey = (who: { userId: string } | { email: string }) =>
  'userId' in who ? `user:${who.userId}` : `email:${sha256(who.email).slice(0, 32)}`;

export async function login(
  deps: SignInDeps,
  email: string,
  password: string,
  info: RequestInfo,
): Promise<LoginResponse> {
  // The app role reaches login emails only through a SECURITY DEFINER function.
  const {
    rows: [lookup],
  } = await deps.db.withoutTenant((tx) =>
    sql<{
      tenant_id: string;
      user_id: string;
    }>`SELECT tenant_id, user_id FROM app_login_lookup(${normalizeEmail(email)})`.execute(tx),
  );
  const rules = signInRules(
    accountKey(lookup ? { userId: lookup.user_id } : { email: normalizeEmail(email) }),
    info.ip,
  );
  await admitSignIn(deps.limits, rules);
  if (!lookup) {
    await verifyPassword(await getDummyHash(), password);
    deps.logger.info({ action: 'auth.login', outcome: 'failure', reason: 'unknown_account' }, 'sign-in failed');
    throw invalidCredentials();
  }
  const { tenant_id: tenantId, user_id: userId } = lookup;
  const temporaryExpired = new Date(deps.now().getTime() - TEMPORARY_PASSWORD_TTL_MS);
  const cred = await deps.db.withTenant(tenantId, (tx) =>
    tx
      .selectFrom('credentials as c')
      .innerJoin('users as u', 'u.id', 'c.user_id')
      .select((eb) => [
        'c.password_hash',
        'u.status',
        'c.totp_confirmed_at',
        eb
          .and([
            eb.ref('c.must_change_password'),
            eb.or([
              eb('c.temporary_password_used_at', 'is not', null),
              eb('c.password_changed_at', '<', temporaryExpired),
            ]),
          ])
          .as('temporary_used'),
      ])
      .where('c.user_id', '=', userId)
      .executeTakeFirst(),
  );
  const base = { actorType: 'user' as const, actorId: userId, targetType: 'user', targetId: userId, ip: info.ip };
  // An account without a password (single sign-on only) costs the same time as a wrong password.
  const ok = cred
    ? (await verifyPassword(cred.password_hash ?? (await getDummyHash()), password)) && cred.password_hash !== null
    : false;
  if (!ok || cred?.status !== 'active' || cred.temporary_used) {
    await audit(deps.db, tenantId, {
      ...base,
      action: 'auth.login',
      outcome: 'failure',
      details: { reason: !ok ? 'wrong_password' : cred?.temporary_used ? 'temporary_password_spent' : 'disabled' },
    });
    throw invalidCredentials();
  }
  const policy = deps.oidc?.settings.passwordLogin ?? 'all';
  if (policy !== 'all' && !(await deps.db.withTenant(tenantId, (tx) => mayUsePassword(tx, policy, userId)))) {
    await audit(deps.db, tenantId, {
      ...base,
      action: 'auth.login',
      outcome: 'denied',
      details: { reason: 'password_login_disabled' },
    });
    throw forbidden('This account signs in with single sign-on, not a password.', 'password_login_disabled');
  }
  const session = await deps.db.withTenant(tenantId, async (tx) => {
    if (cred.totp_confirmed_at) {
      await recordAudit(tx, { ...base, action: 'auth.login', outcome: 'success', details: { mfa: 'pending' } });
      return { mfaRequired: true as const, mfaToken: await deps.tokens.signMfaToken({ userId, tenantId }) };
    }
    await recordAudit(tx, { ...base, action: 'auth.login', outcome: 'success' });
    return issueSession(deps, tx, tenantId, userId, null);
  });
  // The password was right: it does not count toward the account's ceiling, and without a TOTP step to come this
  // address starts afresh (a pending TOTP step still counts its own failures).
  await deps.limits.refund([rules.perAccount.key]);
  if (!('mfaRequired' in session)) await deps.limits.reset([rules.perAccountSource.key]);
  return session;
}

class MfaRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export async function completeMfa(
  deps: SignInDeps & { box: SecretBox },
  body: { mfaToken: string; code?: string | undefined; recoveryCode?: string | undefined },
  info: RequestInfo,
): Promise<TokenPair> {
  const expired = () => unauthorized('invalid_token', 'The sign-in step has expired. Sign in again.');
  let who: { userId: string; tenantId: string; jti: string };
  try {
    who = await deps.tokens.verifyMfaToken(body.mfaToken);
  } catch {
    throw expired();
  }
  // TOTP failures count toward the same limits as wrong passwords.
  const rules = signInRules(accountKey(who), info.ip);
  await admitSignIn(deps.limits, rules);
  const now = deps.now();
  const base = {
    actorType: 'user' as const,
    actorId: who.userId,
    targetType: 'user',
    targetId: who.userId,
    ip: info.ip,
  };
  const result = await deps.db
    .withTenant(who.tenantId, async (tx) => {
      const cred = await tx
        .selectFrom('credentials as c')
        .innerJoin('users as u', 'u.id', 'c.user_id')
        .select(['c.totp_secret', 'c.totp_last_step', 'u.status'])
        .where('c.user_id', '=', who.userId)
        .where('c.totp_confirmed_at', 'is not', null)
        .forUpdate('c')
        .executeTakeFirst();
      if (!cred?.totp_secret || cred.status !== 'active') return { ok: false as const, reason: 'not_enrolled' };
      if (body.code) {
        const secret = deps.box.open(cred.totp_secret, `totp:${who.userId}`).toString();
        const step = verifyTotp(secret, body.code, now);
        if (step === undefined) return { ok: false as const, reason: 'wrong_code' };
        if (cred.totp_last_step !== null && step <= cred.totp_last_step)
          return { ok: false as const, reason: 'replayed_code' };
        await tx.updateTable('credentials').set({ totp_last_step: step }).where('user_id', '=', who.userId).execute();
      } else {
        const used = await tx
          .updateTable('recovery_codes')
          .set({ used_at: sql`now()` })
          .where('user_id', '=', who.userId)
          .where('code_hash', '=', hashRecoveryCode(body.recoveryCode!))
          .where('used_at', 'is', null)
          .returning('id')
          .executeTakeFirst();
        if (!used) return { ok: false as const, reason: 'wrong_recovery_code' };
      }
      // The token is spent by the sign-in it completes, atomically with it: a second use (or a racing one) fails.
      const [spent] = await deps.limits.count([{ key: `mfa-token:${who.jti}`, limit: 1, windowSeconds: 3600 }], tx);
      if ((spent?.count ?? 0) > 1) throw new MfaRefused('token_reused');
      await recordAudit(tx, {
        ...base,
        action: 'auth.mfa',
        outcome: 'success',
        details: { method: body.code ? 'totp' : 'recovery_code' },
      });
      return { ok: true as const, session: await issueSession(deps, tx, who.tenantId, who.userId, null) };
    })
    .catch((error) => {
      if (error instanceof MfaRefused) return { ok: false as const, reason: error.reason };
      throw error;
    });
  if (!result.ok) {
    await audit(deps.db, who.tenantId, {
      ...base,
      action: 'auth.mfa',
      outcome: 'failure',
      details: { reason: result.reason },
    });
    if (result.reason === 'token_reused') throw expired();
    throw unauthorized('invalid_code', 'That code is not right. Use the current code from your authenticator app.');
  }
  await deps.limits.refund([rules.perAccount.key]);
  await deps.limits.reset([rules.perAccountSource.key]);
  return result.session;
}
