import { sql } from 'kysely';
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
  const row = await tx
    .insertInto('check_ins')
    .values({
      // The RLS helper: the tenant the transaction was opened for.
      tenant_id: sql<string>`app_current_tenant()`,
      kind: scope.operation,
      idempotency_key: scope.key,
      kiosk_id: scope.kioskId,
      user_id: scope.userId,
      visit_id: scope.visitId,
      occurred_at: at.occurredAt,
      offline: at.offline,
    })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  if (row) return { claimed: true, id: row.id };
  const first = await tx
    .selectFrom('check_ins')
    .select(['id', 'visit_id'])
    .where('kind', '=', scope.operation)
    .where('idempotency_key', '=', scope.key)
    .where('kiosk_id', 'is not distinct from', scope.kioskId)
    .where('user_id', 'is not distinct from', scope.userId)
    .where((eb) => eb.or([eb('kind', '=', 'walk_in'), eb('visit_id', '=', scope.visitId)]))
    .executeTakeFirst();
  if (!first) throw conflict('idempotency_key_reused', 'This idempotency key belongs to another request.');
  // A check-in, check-out or walk-in key always names its visit.
  return { claimed: false, first: { id: first.id, visitId: first.visit_id! } };
}

/** Gives a claimed key back so a retry is judged afresh; anything else the transaction wrote (a conflict) stays. */
export async function releaseKey<T>(tx: Tx, claimId: string, error: AppError): Promise<Outcome<T>> {
  await tx.deleteFrom('check_ins').where('id', '=', claimId).execute();
  return { ok: false, error };
}

/**
 * Runs an attempt that writes before it can claim its key (a walk-in creates its visit first) under a savepoint: a
 * replay (200) undoes the attempt's writes and keeps the first request's answer; the transaction itself goes on.
 */
export async function undoIfReplayed<T>(tx: Tx, attempt: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
  // Raw SQL: Kysely's savepoints need a transaction it opened itself, and this one is the backend's.
  await sql`SAVEPOINT idempotent_attempt`.execute(tx);
  const outcome = await attempt();
  if (outcome.ok && outcome.status === 200) await sql`ROLLBACK TO SAVEPOINT idempotent_attempt`.execute(tx);
  await sql`RELEASE SAVEPOINT idempotent_attempt`.execute(tx);
  return outcome;
}

/** The committed outcome as the answer to send, or its error thrown. */
export function settle<T>(outcome: Outcome<T>): { status: 200 | 201; body: T } {
  if (!outcome.ok) throw outcome.error;
  return { status: outcome.status, body: outcome.body };
}
