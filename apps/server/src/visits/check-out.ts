import { randomUUID } from 'node:crypto';
import type { ScanRequest } from '@atrium/protocol';
import { sql } from 'kysely';
import { recordAudit } from '../audit/record';
import type { KeyRing } from '../auth/keys';
import type { Database, Tx } from '../db';
import { type EventDispatcher, emit } from '../events/outbox';
import { conflict, notFound, unprocessable } from '../http/errors';
import { type Actor, auditActor, type KioskActor, kioskActor } from './actor';
import { claimKey, type Outcome, releaseKey, settle } from './idempotency';
import { readScan } from './qr-tokens';
import { emitVoucherRevocations, revokeVisitVouchers } from './vouchers';

export interface CheckOutDeps {
  db: Database;
  events: EventDispatcher;
  now: () => Date;
}

export interface CheckOutInput {
  visitId: string;
  /** The kiosk's site: a visit elsewhere is another location's. Null for staff, who may check out any visit. */
  siteId: string | null;
  idempotencyKey: string;
  occurredAt: Date;
  offline: boolean;
  kioskId: string | null;
  actor: Actor;
  reason: 'kiosk' | 'staff';
}

/** The check-out inside the caller's transaction: the visit ends and its vouchers are revoked at the agent. */
export async function recordCheckOut(tx: Tx, input: CheckOutInput): Promise<Outcome<{ visitId: string }>> {
  // Locked first, as in a check-in: the key is claimed only for a visit that exists and is this kiosk's site's.
  const visit = await tx
    .selectFrom('visits')
    .select(['status', 'site_id'])
    .where('id', '=', input.visitId)
    .forUpdate()
    .executeTakeFirst();
  if (!visit || (input.siteId && visit.site_id !== input.siteId)) {
    return {
      ok: false,
      error: input.siteId
        ? unprocessable('wrong_site', 'This visitor code is for another location.')
        : notFound('visit'),
    };
  }
  const claim = await claimKey(
    tx,
    {
      operation: 'check_out',
      key: input.idempotencyKey,
      kioskId: input.kioskId,
      userId: input.actor.type === 'user' ? input.actor.id : null,
      visitId: input.visitId,
    },
    input,
  );
  if (!claim.claimed) return { ok: true, status: 200, body: { visitId: claim.first.visitId } };
  const checkOutId = claim.id;
  if (visit.status !== 'checked_in') {
    return releaseKey(tx, checkOutId, conflict('not_checked_in', 'This visitor is not checked in.'));
  }
  await tx
    .updateTable('visits')
    .set({ status: 'checked_out', checked_out_at: input.occurredAt, updated_at: sql`now()` })
    .where('id', '=', input.visitId)
    .execute();
  const revoked = await revokeVisitVouchers(tx, input.visitId);
  await recordAudit(tx, {
    ...auditActor(input.actor),
    action: 'visit.checked_out',
    targetType: 'visit',
    targetId: input.visitId,
    outcome: 'success',
    details: { checkOutId, reason: input.reason },
  });
  await emit(tx, 'visit.checked_out', visit.site_id, {
    visitId: input.visitId,
    checkInId: checkOutId,
    reason: input.reason,
  });
  await emitVoucherRevocations(tx, input.visitId, revoked);
  return { ok: true, status: 200, body: { visitId: input.visitId } };
}

async function checkOutOnce(deps: CheckOutDeps, tenantId: string, input: CheckOutInput): Promise<{ visitId: string }> {
  const outcome = await deps.db.withTenant(tenantId, (tx) => recordCheckOut(tx, input));
  void deps.events.wake();
  return settle(outcome).body;
}

/** A kiosk's scan of a visitor code on the way out; a retry answers the same. */
export async function checkOutScan(
  deps: CheckOutDeps & { keys: KeyRing },
  kiosk: KioskActor,
  scan: ScanRequest,
): Promise<{ visitId: string }> {
  const { at, offline, visitId } = await readScan(deps, kiosk, scan);
  return checkOutOnce(deps, kiosk.tenantId, {
    visitId,
    siteId: kiosk.siteId,
    idempotencyKey: scan.idempotencyKey,
    occurredAt: at,
    offline,
    kioskId: kiosk.kioskId,
    actor: kioskActor(kiosk),
    reason: 'kiosk',
  });
}

/** Staff check a visitor out by hand; without a key every request is a new attempt. */
export function checkOutByStaff(
  deps: CheckOutDeps,
  tenantId: string,
  actor: Actor,
  visitId: string,
  idempotencyKey: string | undefined,
): Promise<{ visitId: string }> {
  return checkOutOnce(deps, tenantId, {
    visitId,
    siteId: null,
    idempotencyKey: idempotencyKey ?? randomUUID(),
    occurredAt: deps.now(),
    offline: false,
    kioskId: null,
    actor,
    reason: 'staff',
  });
}
