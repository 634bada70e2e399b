import { randomBytes } from 'node:crypto';
import type { Me, RecoveryCodes, TotpEnrolment } from '@atrium/protocol';
import { sql } from 'kysely';
import QRCode from 'qrcode';
import { recordAudit } from '../audit/record';
import type { SecretBox } from '../crypto/secret-box';
import type { Database, Tx } from '../db';
import type { Mailer } from '../email/transport';
import type { EventDispatcher } from '../events/outbox';
import { conflict, invalidInput } from '../http/errors';
import { hashNewPassword, verifyPassword } from '../tenancy/passwords';
import { rolesOf } from '../tenancy/users';
import { announceAccessChange, revokeAllSessions } from './sessions';
import { hashRecoveryCode } from './sign-in';
import { generateTotpSecret, otpauthUri, verifyTotp } from './totp';
import type { UserAccess } from './user-access';

/** What the account services use: the database, the TOTP secret box, the clock, who to tell of a new password, the mailer. */
export interface AccountDeps {
  db: Database;
  box: SecretBox;
  now: () => Date;
  events: Pick<EventDispatcher, 'wake'>;
  access: Pick<UserAccess, 'forget'>;
  /** Present when email is configured: `GET /me` says whether arrival emails can reach the user. */
  mailer: Mailer | undefined;
}

/** The signed-in user looking after their own account (the /me routes). */
export interface AccountHolder {
  tenantId: string;
  userId: string;
  ip: string | null;
}

const RECOVERY_CODES = 10;
const recoveryCode = () => {
  const raw = randomBytes(5).toString('hex');
  return `${raw.slice(0, 5)}-${raw.slice(5)}`;
};

/** The user's own profile, or undefined when the account no longer exists. */
export async function loadMe(deps: AccountDeps, user: Omit<AccountHolder, 'ip'>): Promise<Me | undefined> {
  return deps.db.withTenant(user.tenantId, async (tx) => {
    const row = await tx
      .selectFrom('users as u')
      .innerJoin('credentials as c', 'c.user_id', 'u.id')
      .select((eb) => [
        'u.id',
        'u.email',
        'u.name',
        'u.email_notifications',
        eb('c.totp_confirmed_at', 'is not', null).$castTo<boolean>().as('mfa'),
      ])
      .where('u.id', '=', user.userId)
      .executeTakeFirst();
    return (
      row && {
        id: row.id,
        email: row.email,
        name: row.name,
        mfaEnabled: row.mfa,
        emailOnArrival: row.email_notifications,
        emailConfigured: deps.mailer !== undefined,
        roles: await rolesOf(tx, user.userId),
      }
    );
  });
}

/**
 * Checks a password the user typed against their own, reporting a mismatch on `field`. Read in a transaction of its
 * own so no row is held while the (deliberately slow) hash is verified.
 */
async function checkOwnPassword(deps: AccountDeps, user: AccountHolder, password: string, field: string) {
  const cred = await deps.db.withTenant(user.tenantId, (tx) =>
    tx.selectFrom('credentials').select('password_hash').where('user_id', '=', user.userId).executeTakeFirst(),
  );
  if (!cred || !(await verifyPassword(cred.password_hash, password))) {
    throw invalidInput(field, 'is not your current password');
  }
}

async function auditOwn(tx: Tx, user: AccountHolder, action: string) {
  await recordAudit(tx, {
    actorType: 'user',
    actorId: user.userId,
    action,
    targetType: 'user',
    targetId: user.userId,
    outcome: 'success',
    ip: user.ip,
  });
}

/**
 * Replaces the user's password and ends every sign-in of theirs, this one included. Other replicas learn of it
 * through the access-change event, woken once the change is committed.
 */
export async function changeOwnPassword(
  deps: AccountDeps,
  user: AccountHolder,
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  await checkOwnPassword(deps, user, input.currentPassword, 'currentPassword');
  if (input.newPassword === input.currentPassword) {
    throw invalidInput('newPassword', 'must differ from your current password');
  }
  const hash = await hashNewPassword(input.newPassword, 'newPassword');
  await deps.db.withTenant(user.tenantId, async (tx) => {
    await tx
      .updateTable('credentials')
      .set({
        password_hash: hash,
        password_changed_at: sql`now()`,
        must_change_password: false,
        temporary_password_used_at: null,
      })
      .where('user_id', '=', user.userId)
      .execute();
    await revokeAllSessions(tx, user.userId);
    await auditOwn(tx, user, 'user.password_changed');
    await announceAccessChange(tx, user.userId);
  });
  deps.access.forget(user.tenantId, user.userId);
  void deps.events.wake();
}

/**
 * Starts (or restarts) setting up two-step sign-in: a new secret is stored, sealed, until confirmed with a code. The
 * secret is shown once, as text and as a QR code for the authenticator app.
 */
export async function startTotpEnrolment(deps: AccountDeps, user: AccountHolder): Promise<TotpEnrolment> {
  const secret = generateTotpSecret();
  const email = await deps.db.withTenant(user.tenantId, async (tx) => {
    const row = await tx
      .selectFrom('users as u')
      .innerJoin('credentials as c', 'c.user_id', 'u.id')
      .select((eb) => ['u.email', eb('c.totp_confirmed_at', 'is not', null).$castTo<boolean>().as('enabled')])
      .where('u.id', '=', user.userId)
      .executeTakeFirst();
    if (row?.enabled) throw conflict('mfa_already_enabled', 'Two-step sign-in is already on. Turn it off first.');
    await tx
      .updateTable('credentials')
      .set({ totp_secret: deps.box.seal(secret, `totp:${user.userId}`), totp_last_step: null })
      .where('user_id', '=', user.userId)
      .execute();
    return row!.email;
  });
  const uri = otpauthUri(secret, email);
  return { secret, otpauthUri: uri, qrSvg: await QRCode.toString(uri, { type: 'svg', margin: 2 }) };
}

/**
 * Turns two-step sign-in on once the user proves their app shows the current code, and hands out a fresh set of
 * recovery codes (only their hashes are kept). The code's time step is recorded so it cannot be used again to sign in.
 */
export async function confirmTotp(deps: AccountDeps, user: AccountHolder, code: string): Promise<RecoveryCodes> {
  const codes = Array.from({ length: RECOVERY_CODES }, recoveryCode);
  await deps.db.withTenant(user.tenantId, async (tx) => {
    const cred = await tx
      .selectFrom('credentials')
      .select(['totp_secret', 'totp_confirmed_at'])
      .where('user_id', '=', user.userId)
      .forUpdate()
      .executeTakeFirst();
    if (!cred?.totp_secret) throw conflict('mfa_not_started', 'Start the set-up of two-step sign-in first.');
    if (cred.totp_confirmed_at) throw conflict('mfa_already_enabled', 'Two-step sign-in is already on.');
    const step = verifyTotp(deps.box.open(cred.totp_secret, `totp:${user.userId}`).toString(), code, deps.now());
    if (step === undefined) throw invalidInput('code', 'is not the current code of your authenticator app');
    await tx
      .updateTable('credentials')
      .set({ totp_confirmed_at: sql`now()`, totp_last_step: step })
      .where('user_id', '=', user.userId)
      .execute();
    await tx.deleteFrom('recovery_codes').where('user_id', '=', user.userId).execute();
    for (const recovery of codes) {
      await tx
        .insertInto('recovery_codes')
        .values({ tenant_id: user.tenantId, user_id: user.userId, code_hash: hashRecoveryCode(recovery) })
        .execute();
    }
    await auditOwn(tx, user, 'user.mfa_enabled');
  });
  return { recoveryCodes: codes };
}

/** Turns two-step sign-in off (the password must be given again) and drops the secret and recovery codes. */
export async function disableTotp(deps: AccountDeps, user: AccountHolder, password: string): Promise<void> {
  await checkOwnPassword(deps, user, password, 'password');
  await deps.db.withTenant(user.tenantId, async (tx) => {
    await tx
      .updateTable('credentials')
      .set({ totp_secret: null, totp_confirmed_at: null, totp_last_step: null })
      .where('user_id', '=', user.userId)
      .execute();
    await tx.deleteFrom('recovery_codes').where('user_id', '=', user.userId).execute();
    await auditOwn(tx, user, 'user.mfa_disabled');
  });
}
