import { createHash, randomBytes } from 'node:crypto';
import type { TokenPair } from '@atrium/protocol';
import { compactUuid, expandUuid } from '@atrium/qr-token';
import { recordAudit } from '../audit/record';
import type { Database, Queryable, Tx } from '../db';
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
    [tenantId, userId, familyId, refresh.hash, new Date(deps.now().getTime() + REFRESH_TOKEN_TTL_MS)],
  );
  return {
    accessToken: await deps.tokens.signAccessToken({
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

export async function refresh(deps: SessionDeps, token: string, info: RequestInfo): Promise<TokenPair> {
  const invalid = () => unauthorized('invalid_token', 'The session has ended. Sign in again.');
  const tenantId = tenantOfRefreshToken(token);
  if (!tenantId) throw invalid();
  const outcome = await deps.db.withTenant(tenantId, async (tx) => {
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
    if (row.revoked_at || row.rotated_at || row.expires_at <= deps.now() || row.status !== 'active') {
      return { ok: false as const };
    }
    await tx.query('UPDATE refresh_tokens SET rotated_at = now() WHERE id = $1', [row.id]);
    return { ok: true as const, session: await issueSession(deps, tx, tenantId, row.user_id, row.family_id) };
  });
  if (!outcome.ok) throw invalid();
  return outcome.session;
}

export async function logout(deps: { db: Database }, token: string, info: RequestInfo): Promise<void> {
  const tenantId = tenantOfRefreshToken(token);
  if (!tenantId) return;
  await deps.db.withTenant(tenantId, async (tx) => {
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
export async function announceAccessChange(tx: Tx, userId: string): Promise<void> {
  await emit(tx, 'user.access_changed', null, { userId });
}
