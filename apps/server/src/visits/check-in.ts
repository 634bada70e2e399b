import { randomUUID } from 'node:crypto';
import type { CheckInResponse, ScanRequest } from '@atrium/protocol';
import { shortDisplayName } from '@atrium/qr-token';
import { sql } from 'kysely';
import { recordAudit } from '../audit/record';
import type { KeyRing } from '../auth/keys';
import type { SecretBox } from '../crypto/secret-box';
import type { Database, Tx } from '../db';
import { type EventDispatcher, emit } from '../events/outbox';
import { conflict, notFound, unprocessable } from '../http/errors';
import { type Actor, auditActor, type KioskActor, kioskActor } from './actor';
import { claimKey, type Outcome, releaseKey, settle } from './idempotency';
import { readScan } from './qr-tokens';
import { issueVoucher, voucherContext } from './vouchers';

/** What a check-in uses: the secret box seals and opens the voucher's password. */
export interface CheckInDeps {
  db: Database;
  box: SecretBox;
  events: EventDispatcher;
  now: () => Date;
}

export interface CheckInInput {
  siteId: string;
  visitId: string;
  jti: string | null;
  idempotencyKey: string;
  occurredAt: Date;
  offline: boolean;
  kioskId: string | null;
  actor: Actor;
  /** A walk-in's key is scoped without its visit, which is created anew on every attempt. */
  operation?: 'check_in' | 'walk_in';
}

type Answer = { status: 200 | 201; body: CheckInResponse };

async function checkInBody(box: SecretBox, tx: Tx, checkInId: string): Promise<CheckInResponse | undefined> {
  const row = await tx
    .selectFrom('check_ins as c')
    .innerJoin('vouchers as w', 'w.id', 'c.voucher_id')
    .innerJoin('visits as v', 'v.id', 'c.visit_id')
    .innerJoin('visitors as p', 'p.id', 'v.visitor_id')
    .innerJoin('sites as s', 's.id', 'v.site_id')
    .select([
      'v.id as visit_id',
      'w.id as voucher_id',
      'w.username',
      'w.password_sealed',
      'w.valid_until',
      'p.name',
      's.wifi_ssid',
    ])
    .where('c.id', '=', checkInId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    visitId: row.visit_id,
    displayName: shortDisplayName(row.name),
    voucher: {
      username: row.username,
      password: box.open(row.password_sealed, voucherContext(row.voucher_id)).toString(),
      ssid: row.wifi_ssid,
      validUntil: row.valid_until.toISOString(),
    },
  };
}

/**
 * The check-in inside the caller's transaction: lock the visit, claim the idempotency key, consume the QR token's jti
 * (exactly one winner), mark the visit checked in, issue the voucher, audit, and write the outbox events.
 */
export async function recordCheckIn(
  tx: Tx,
  deps: { box: SecretBox; now: () => Date },
  input: CheckInInput,
): Promise<Outcome<CheckInResponse>> {
  // Locked first: a key is claimed only for a visit that exists, and concurrent scans of one visit queue here.
  const visit = await tx
    .selectFrom('visits')
    .select(['status', 'site_id', 'expected_departure'])
    .where('id', '=', input.visitId)
    .forUpdate()
    .executeTakeFirst();
  if (!visit) {
    return {
      ok: false,
      error: input.jti ? unprocessable('invalid_token', 'This is not a valid Atrium visitor code.') : notFound('visit'),
    };
  }
  const claim = await claimKey(
    tx,
    {
      operation: input.operation ?? 'check_in',
      key: input.idempotencyKey,
      kioskId: input.kioskId,
      userId: input.actor.type === 'user' ? input.actor.id : null,
      visitId: input.visitId,
    },
    input,
  );
  if (!claim.claimed) {
    const body = await checkInBody(deps.box, tx, claim.first.id);
    return body
      ? { ok: true, status: 200, body }
      : { ok: false, error: conflict('already_used', 'This visitor code has already been used.') };
  }
  const checkInId = claim.id;

  // With a code, that code's jti; by hand (staff, walk-in), whatever code the visit has left.
  let consume = tx
    .updateTable('qr_tokens')
    .set({ consumed_at: sql`now()`, consumed_by_kiosk: input.jti ? input.kioskId : null })
    .where('visit_id', '=', input.visitId)
    .where('consumed_at', 'is', null)
    .where('revoked_at', 'is', null);
  if (input.jti) consume = consume.where('jti', '=', input.jti);
  const consumed = await consume.returning('jti').execute();
  if (visit.site_id !== input.siteId)
    return releaseKey(tx, checkInId, unprocessable('wrong_site', 'This visitor code is for another location.'));
  if (visit.status === 'cancelled')
    return releaseKey(tx, checkInId, unprocessable('visit_cancelled', 'This visit has been cancelled.'));
  if (consumed.length === 0 || visit.status !== 'expected') {
    if (input.jti) {
      const token = await tx
        .selectFrom('qr_tokens')
        .select(['revoked_at', 'consumed_by_kiosk', 'consumed_at'])
        .where('jti', '=', input.jti)
        .executeTakeFirst();
      if (!token)
        return releaseKey(tx, checkInId, unprocessable('invalid_token', 'This is not a valid Atrium visitor code.'));
      if (token.revoked_at && !token.consumed_at) {
        return releaseKey(
          tx,
          checkInId,
          unprocessable('invalid_token', 'This visitor code was replaced by a newer one.'),
        );
      }
      if (input.offline && token.consumed_by_kiosk !== input.kioskId) {
        // Two kiosks accepted the same code while offline: one check-in stands, staff see the other.
        const found = await tx
          .insertInto('check_in_conflicts')
          .values({
            // The RLS helper: the tenant the transaction was opened for.
            tenant_id: sql<string>`app_current_tenant()`,
            visit_id: input.visitId,
            jti: input.jti,
            kiosk_id: input.kioskId,
            first_kiosk_id: token.consumed_by_kiosk,
            occurred_at: input.occurredAt,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await recordAudit(tx, {
          ...auditActor(input.actor),
          action: 'visit.replay_conflict',
          targetType: 'visit',
          targetId: input.visitId,
          outcome: 'denied',
          details: { conflictId: found.id, firstKioskId: token.consumed_by_kiosk },
        });
        await emit(tx, 'check_in.conflict', visit.site_id, {
          conflictId: found.id,
          visitId: input.visitId,
          kioskId: input.kioskId,
        });
      }
    }
    return releaseKey(tx, checkInId, conflict('already_used', 'This visitor code has already been used.'));
  }

  await tx
    .updateTable('visits')
    .set({ status: 'checked_in', checked_in_at: input.occurredAt, updated_at: sql`now()` })
    .where('id', '=', input.visitId)
    .execute();
  const voucher = await issueVoucher(tx, deps.box, {
    siteId: visit.site_id,
    visitId: input.visitId,
    validFrom: deps.now(),
    validUntil: visit.expected_departure,
  });
  await tx.updateTable('check_ins').set({ voucher_id: voucher.id }).where('id', '=', checkInId).execute();
  await recordAudit(tx, {
    ...auditActor(input.actor),
    action: 'visit.checked_in',
    targetType: 'visit',
    targetId: input.visitId,
    outcome: 'success',
    details: { checkInId, voucherId: voucher.id, offline: input.offline },
  });
  await emit(tx, 'visit.checked_in', visit.site_id, {
    visitId: input.visitId,
    checkInId,
    kioskId: input.kioskId,
    offline: input.offline,
  });
  await emit(tx, 'voucher.upserted', visit.site_id, {
    voucherId: voucher.id,
    visitId: input.visitId,
    version: voucher.version,
  });
  return { ok: true, status: 201, body: (await checkInBody(deps.box, tx, checkInId))! };
}

/** One check-in transaction; the dispatcher is woken after it either way (a refused replay may record a conflict). */
async function checkInOnce(deps: CheckInDeps, tenantId: string, input: CheckInInput): Promise<Answer> {
  try {
    return settle(await deps.db.withTenant(tenantId, (tx) => recordCheckIn(tx, deps, input)));
  } finally {
    void deps.events.wake();
  }
}

/** A kiosk's scan of a visitor code: 201 with the WiFi voucher, or 200 with the first answer for a retry. */
export async function checkInScan(
  deps: CheckInDeps & { keys: KeyRing },
  kiosk: KioskActor,
  scan: ScanRequest,
): Promise<Answer & { offline: boolean }> {
  const { at, offline, visitId, jti } = await readScan(deps, kiosk, scan);
  const answer = await checkInOnce(deps, kiosk.tenantId, {
    siteId: kiosk.siteId,
    visitId,
    jti,
    idempotencyKey: scan.idempotencyKey,
    occurredAt: at,
    offline,
    kioskId: kiosk.kioskId,
    actor: kioskActor(kiosk),
  });
  return { ...answer, offline };
}

/** Staff check a visitor in by hand (no code); without a key every request is a new attempt. */
export function checkInByStaff(
  deps: CheckInDeps,
  tenantId: string,
  actor: Actor,
  visit: { id: string; siteId: string },
  idempotencyKey: string | undefined,
): Promise<Answer> {
  return checkInOnce(deps, tenantId, {
    siteId: visit.siteId,
    visitId: visit.id,
    jti: null,
    idempotencyKey: idempotencyKey ?? randomUUID(),
    occurredAt: deps.now(),
    offline: false,
    kioskId: null,
    actor,
  });
}
