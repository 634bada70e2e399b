import type { Tx } from '../db';
import { type AppError, conflict } from '../http/errors';

export type Operation = 'check_in' | 'check_out' | 'walk_in';

/**
 * Who sent a request, for which operation and about which visit: an idempotency key answers only within this scope (a
 * walk-in's visit is new on every attempt, so there the actor and operation alone). The same key from another kiosk
 * or user, for another operation or visit is a new key: it neither answers with nor blocks the other.
 */
export interface KeyScope {
  operation: Operation;
  key: string;
  kioskId: string | null;
  userId: string | null;
  visitId: string;
}

/** A claimed key's row id, or the committed request that already holds the key in this scope. */
export type Claim = { claimed: true; id: string } | { claimed: false; first: { id: string; visitId: string } };

/** An answer, or an error to throw once the transaction has committed (what a failed attempt wrote stays). */
export type Outcome<T> = { ok: true; status: 200 | 201; body: T } | { ok: false; error: AppError };

/**
 * Claims a key within its scope, or finds the request that holds it. The visit must be locked by the caller (it
 * exists, and a concurrent retry waits here for the first attempt). A key held outside this scope is refused.
 */
export async function claimKey(tx: Tx, scope: KeyScope, at: { occurredAt: Date; offline: boolean }): Promise<Claim> {
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO check_ins (tenant_id, kind, idempotency_key, kiosk_id, user_id, visit_id, occurred_at, offline)
     VALUES (app_current_tenant(), $1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT DO NOTHING RETURNING id`,
    [scope.operation, scope.key, scope.kioskId, scope.userId, scope.visitId, at.occurredAt, at.offline],
  );
  if (row) return { claimed: true, id: row.id };
  const [first] = await tx.query<{ id: string; visit_id: string }>(
    `SELECT id, visit_id FROM check_ins
      WHERE kind = $1 AND idempotency_key = $2 AND kiosk_id IS NOT DISTINCT FROM $3 AND user_id IS NOT DISTINCT FROM $4
        AND (kind = 'walk_in' OR visit_id = $5)`,
    [scope.operation, scope.key, scope.kioskId, scope.userId, scope.visitId],
  );
  if (!first) throw conflict('idempotency_key_reused', 'This idempotency key belongs to another request.');
  return { claimed: false, first: { id: first.id, visitId: first.visit_id } };
}

/** Gives a claimed key back so a retry is judged afresh; anything else the transaction wrote (a conflict) stays. */
export async function releaseKey<T>(tx: Tx, claimId: string, error: AppError): Promise<Outcome<T>> {
  await tx.query('DELETE FROM check_ins WHERE id = $1', [claimId]);
  return { ok: false, error };
}

/**
 * Runs an attempt that writes before it can claim its key (a walk-in creates its visit first) under a savepoint: a
 * replay (200) undoes the attempt's writes and keeps the first request's answer; the transaction itself goes on.
 */
export async function undoIfReplayed<T>(tx: Tx, attempt: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
  await tx.query('SAVEPOINT idempotent_attempt');
  const outcome = await attempt();
  if (outcome.ok && outcome.status === 200) await tx.query('ROLLBACK TO SAVEPOINT idempotent_attempt');
  await tx.query('RELEASE SAVEPOINT idempotent_attempt');
  return outcome;
}

/** The committed outcome as the answer to send, or its error thrown. */
export function settle<T>(outcome: Outcome<T>): { status: 200 | 201; body: T } {
  if (!outcome.ok) throw outcome.error;
  return { status: outcome.status, body: outcome.body };
}
