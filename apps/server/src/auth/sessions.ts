import { createHash, randomBytes } from 'node:crypto';
import type { TokenPair } from '@atrium/protocol';
import { compactUuid, expandUuid } from '@atrium/qr-token';
import { sql } from 'kysely';
import { recordAudit } from '../audit/record';
import type { Database, Tx } from '../db';
import { emit } from '../events/outbox';
import { unauthorized } from '../http/errors';
import { rolesOf } from '../tenancy/users';
import { ACCESS_TOKEN_TTL_S, type TokenService } from './tokens';

export const REFRESH_TOKEN_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** A session is a pair of signed tokens, stored refresh tokens and the clock that dates them. */
export interface SessionDeps {
  db: Database;
  tokens: TokenService;
  now: () => Date;
}

export interface RequestInfo {
  ip: string | null;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
export const invalidCredentials = () => unauthorized('invalid_credentials', 'The email or password is not right.');

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

/**
 * Access token + a refresh token in a family (a new family for a fresh sign-in). A fresh sign-in with a temporary
 * password uses it up: it opens this one session, which can only choose a new password.
 */
export async function issueSession(
  deps: Omit<SessionDeps, 'db'>,
  tx: Tx,
  tenantId: string,
  userId: string,
  familyId: string | null,
): Promise<TokenPair> {
  const user = await tx
    .selectFrom('users as u')
    .innerJoin('credentials as c', 'c.user_id', 'u.id')
    .select(['u.email', 'u.name', 'c.must_change_password', 'u.session_version'])
    .where('u.id', '=', userId)
    .executeTakeFirstOrThrow();
  const passwordChangeRequired = user.must_change_password;
  if (passwordChangeRequired && familyId === null) {
    const claimed = await tx
      .updateTable('credentials')
      .set({ temporary_password_used_at: sql`now()` })
      .where('user_id', '=', userId)
      .where('temporary_password_used_at', 'is', null)
      .returning('user_id')
      .executeTakeFirst();
    if (!claimed) throw invalidCredentials();
  }
  const roles = await rolesOf(tx, userId);
  const refresh = newRefreshToken(tenantId);
  await tx
    .insertInto('refresh_tokens')
    .values({
      tenant_id: tenantId,
      user_id: userId,
      family_id: familyId ?? sql<string>`gen_random_uuid()`,
      token_hash: refresh.hash,
      expires_at: new Date(deps.now().getTime() + REFRESH_TOKEN_TTL_MS),
    })
    .execute();
  return {
    accessToken: await deps.tokens.signAccessToken({
      userId,
      tenantId,
      roles,
      passwordChangeRequired,
      sessionVersion: user.session_version,
    }),
    refreshToken: refresh.token,
    expiresIn: ACCESS_TOKEN_TTL_S,
    user: { id: userId, email: user.email, name: user.name, roles },
    ...(passwordChangeRequired ? { passwordChangeRequired: true as const } : {}),
  };
}

/** Ends every session of one sign-in (a refresh family). */
async function revokeFamily(tx: Tx, familyId: string): Promise<void> {
  await tx
    .updateTable('refresh_tokens')
    .set({ revoked_at: sql`now()` })
    .where('family_id', '=', familyId)
    .where('revoked_at', 'is', null)
    .execute();
}

export async function refresh(deps: SessionDeps, token: string, info: RequestInfo): Promise<TokenPair> {
  const invalid = () => unauthorized('invalid_token', 'The session has ended. Sign in again.');
  const tenantId = tenantOfRefreshToken(token);
  if (!tenantId) throw invalid();
  const outcome = await deps.db.withTenant(tenantId, async (tx) => {
    const row = await tx
      .selectFrom('refresh_tokens as r')
      .innerJoin('users as u', 'u.id', 'r.user_id')
      .select(['r.id', 'r.user_id', 'r.family_id', 'r.expires_at', 'r.rotated_at', 'r.revoked_at', 'u.status'])
      .where('r.token_hash', '=', sha256(token))
      .forUpdate('r')
      .executeTakeFirst();
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
      await revokeFamily(tx, row.family_id);
      await recordAudit(tx, { ...base, action: 'auth.refresh_reuse', outcome: 'denied' });
      return { ok: false as const };
    }
    if (row.revoked_at || row.rotated_at || row.expires_at <= deps.now() || row.status !== 'active') {
      return { ok: false as const };
    }
    await tx.updateTable('refresh_tokens').set({ rotated_at: sql`now()` }).where('id', '=', row.id).execute();
    return { ok: true as const, session: await issueSession(deps, tx, tenantId, row.user_id, row.family_id) };
  });
  if (!outcome.ok) throw invalid();
  return outcome.session;
}

export async function logout(deps: { db: Database }, token: string, info: RequestInfo): Promise<void> {
  const tenantId = tenantOfRefreshToken(token);
  if (!tenantId) return;
  await deps.db.withTenant(tenantId, async (tx) => {
    const row = await tx
      .selectFrom('refresh_tokens')
      .select(['user_id', 'family_id'])
      .where('token_hash', '=', sha256(token))
      .executeTakeFirst();
    if (!row) return;
    await revokeFamily(tx, row.family_id);
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
export async function revokeAllSessions(tx: Tx, userId: string): Promise<void> {
  await tx
    .updateTable('refresh_tokens')
    .set({ revoked_at: sql`now()` })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
  await tx
    .updateTable('users')
    .set((eb) => ({ session_version: eb('session_version', '+', 1) }))
    .where('id', '=', userId)
    .execute();
}

/**
 * Tells every replica that a user's access changed (disabled, re-roled, sessions ended): they drop the cached view of
 * the user and close the user's live event streams. The last step of the transaction (see emit).
 */
export async function announceAccessChange(tx: Tx, userId: string): Promise<void> {
  await emit(tx, 'user.access_changed', null, { userId });
}
