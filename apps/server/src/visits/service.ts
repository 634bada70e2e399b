import { randomUUID } from 'node:crypto';
import type { CheckInResponse, CreateVisitRequest, Visit } from '@atrium/protocol';
import { shortDisplayName, signVisitToken, verifyVisitToken } from '@atrium/qr-token';
import { decodeProtectedHeader } from 'jose';
import { recordAudit } from '../audit/record';
import type { Signer } from '../auth/keys';
import type { AppContext } from '../context';
import type { Queryable } from '../db';
import { emit } from '../events/outbox';
import { type AppError, conflict, invalidInput, notFound, unprocessable } from '../http/errors';
import { siteSettings } from './settings';
import { loadVisit } from './views';
import { emitVoucherRevocations, issueVoucher, revokeVisitVouchers, voucherContext } from './vouchers';

/** The short issuer inside QR tokens (every byte counts toward the QR version). */
export const QR_ISSUER = 'atrium';
/** A check-in whose occurredAt lags the request by more than this was queued offline. */
const OFFLINE_LAG_MS = 60_000;
/** Queued check-ins older than this are refused: the visitor has long gone through reception. */
const MAX_QUEUE_AGE_MS = 72 * 3600 * 1000;

export interface Actor {
  type: 'user' | 'kiosk' | 'system';
  id: string | null;
  ip: string | null;
}

const auditActor = (actor: Actor) => ({ actorType: actor.type, actorId: actor.id, ip: actor.ip });

export async function loadSite(tx: Queryable, siteId: string) {
  const [site] = await tx.query<{ id: string; name: string; timezone: string; wifi_ssid: string; settings: unknown }>(
    'SELECT id, name, timezone, wifi_ssid, settings FROM sites WHERE id = $1',
    [siteId],
  );
  return site && { ...site, settings: siteSettings(site.settings) };
}

/**
 * Signs the visit's current QR token (same jti every time; a fresh signature with the tenant's current key, which the
 * caller gets from `ctx.keys.qrSigningKey` before opening the tenant transaction).
 */
export async function qrTokenFor(tx: Queryable, signer: Signer, visitId: string): Promise<string | undefined> {
  const [row] = await tx.query<{
    jti: string;
    site_id: string;
    expected_arrival: Date;
    expected_departure: Date;
    name: string;
    settings: unknown;
  }>(
    `SELECT q.jti, v.site_id, v.expected_arrival, v.expected_departure, p.name, s.settings
       FROM qr_tokens q JOIN visits v ON v.id = q.visit_id JOIN visitors p ON p.id = v.visitor_id
       JOIN sites s ON s.id = v.site_id
      WHERE q.visit_id = $1 AND q.revoked_at IS NULL ORDER BY q.issued_at DESC LIMIT 1`,
    [visitId],
  );
  if (!row) return undefined;
  const tolerance = siteSettings(row.settings).arrivalToleranceMinutes * 60_000;
  return signVisitToken({
    privateKey: signer.privateKey,
    kid: signer.kid,
    issuer: QR_ISSUER,
    siteId: row.site_id,
    visitId,
    jti: row.jti,
    notBefore: new Date(row.expected_arrival.getTime() - tolerance),
    expiresAt: row.expected_departure,
    displayName: shortDisplayName(row.name),
  });
}

function checkTimes(arrival: Date, departure: Date, maxHours: number, now: Date) {
  if (departure <= arrival) throw invalidInput('expectedDeparture', 'must be after expectedArrival');
  if (departure <= now) throw invalidInput('expectedDeparture', 'is in the past');
  if (departure.getTime() - arrival.getTime() > maxHours * 3600_000) {
    throw invalidInput('expectedDeparture', `must be at most ${maxHours} h after expectedArrival at this site`);
  }
}

/**
 * A visit's host must be an active user who works at the visit's site (a role there, or a tenant-wide one), on
 * create and on every later change: otherwise a visit, its arrival notices and its visitor's details could be handed
 * to someone at another site.
 */
async function checkHost(tx: Queryable, siteId: string, hostUserId: string): Promise<void> {
  const [host] = await tx.query(
    `SELECT 1 FROM users u
      WHERE u.id = $1 AND u.status = 'active'
        AND EXISTS (SELECT 1 FROM user_site_roles r WHERE r.user_id = u.id AND (r.site_id = $2 OR r.site_id IS NULL))`,
    [hostUserId, siteId],
  );
  if (!host) throw invalidInput('hostUserId', 'is not an active user of this site');
}

export async function createVisit(
  ctx: AppContext,
  tx: Queryable,
  actor: Actor,
  input: Omit<CreateVisitRequest, 'hostUserId'> & { hostUserId: string | null },
): Promise<Visit> {
  const site = await loadSite(tx, input.siteId);
  if (!site) throw invalidInput('siteId', 'is not a site you can see');
  const arrival = new Date(input.expectedArrival);
  const departure = new Date(input.expectedDeparture);
  checkTimes(arrival, departure, site.settings.maxVisitHours, ctx.now());
  if (input.hostUserId) await checkHost(tx, input.siteId, input.hostUserId);
  const [visitor] = await tx.query<{ id: string }>(
    'INSERT INTO visitors (tenant_id, name, email, company, phone) VALUES (app_current_tenant(), $1, $2, $3, $4) RETURNING id',
    [input.visitor.name, input.visitor.email ?? null, input.visitor.company ?? null, input.visitor.phone ?? null],
  );
  const [visit] = await tx.query<{ id: string }>(
    `INSERT INTO visits (tenant_id, site_id, visitor_id, host_user_id, expected_arrival, expected_departure, created_by)
     VALUES (app_current_tenant(), $1, $2, $3, $4, $5, $6) RETURNING id`,
    [input.siteId, visitor!.id, input.hostUserId, arrival, departure, actor.type === 'user' ? actor.id : null],
  );
  await tx.query(
    'INSERT INTO qr_tokens (jti, tenant_id, visit_id, site_id, expires_at) VALUES ($1, app_current_tenant(), $2, $3, $4)',
    [randomUUID(), visit!.id, input.siteId, departure],
  );
  await recordAudit(tx, {
    ...auditActor(actor),
    action: 'visit.created',
    targetType: 'visit',
    targetId: visit!.id,
    outcome: 'success',
  });
  await emit(tx, 'visit.created', input.siteId, { visitId: visit!.id });
  return (await loadVisit(tx, visit!.id))!;
}

export async function updateVisit(
  ctx: AppContext,
  tx: Queryable,
  actor: Actor,
  visitId: string,
  patch: {
    visitor?:
      | {
          name?: string | undefined;
          email?: string | undefined;
          company?: string | undefined;
          phone?: string | undefined;
        }
      | undefined;
    expectedArrival?: string | undefined;
    expectedDeparture?: string | undefined;
    hostUserId?: string | undefined;
  },
): Promise<Visit> {
  const [row] = await tx.query<{
    status: string;
    site_id: string;
    visitor_id: string;
    expected_arrival: Date;
    expected_departure: Date;
  }>('SELECT status, site_id, visitor_id, expected_arrival, expected_departure FROM visits WHERE id = $1 FOR UPDATE', [
    visitId,
  ]);
  if (!row) throw notFound('visit');
  if (row.status !== 'expected' && (patch.expectedArrival || patch.expectedDeparture)) {
    throw conflict('visit_not_editable', 'Only a visit that has not started can be moved.');
  }
  if (patch.visitor) {
    const v = patch.visitor;
    await tx.query(
      `UPDATE visitors SET name = coalesce($2, name), email = coalesce($3, email), company = coalesce($4, company),
              phone = coalesce($5, phone) WHERE id = $1`,
      [row.visitor_id, v.name ?? null, v.email ?? null, v.company ?? null, v.phone ?? null],
    );
  }
  if (patch.hostUserId) {
    await checkHost(tx, row.site_id, patch.hostUserId);
    await tx.query('UPDATE visits SET host_user_id = $2 WHERE id = $1', [visitId, patch.hostUserId]);
  }
  if (patch.expectedArrival || patch.expectedDeparture) {
    const arrival = patch.expectedArrival ? new Date(patch.expectedArrival) : row.expected_arrival;
    const departure = patch.expectedDeparture ? new Date(patch.expectedDeparture) : row.expected_departure;
    const site = await loadSite(tx, row.site_id);
    checkTimes(arrival, departure, site!.settings.maxVisitHours, ctx.now());
    await tx.query(
      'UPDATE visits SET expected_arrival = $2, expected_departure = $3, updated_at = now() WHERE id = $1',
      [visitId, arrival, departure],
    );
    // The old QR code carried the old times: retire it (kiosks learn it from the revocation list) and issue a new one.
    await tx.query('UPDATE qr_tokens SET revoked_at = now() WHERE visit_id = $1 AND revoked_at IS NULL', [visitId]);
    await tx.query(
      'INSERT INTO qr_tokens (jti, tenant_id, visit_id, site_id, expires_at) VALUES ($1, app_current_tenant(), $2, $3, $4)',
      [randomUUID(), visitId, row.site_id, departure],
    );
  }
  await recordAudit(tx, {
    ...auditActor(actor),
    action: 'visit.updated',
    targetType: 'visit',
    targetId: visitId,
    outcome: 'success',
    details: { fields: Object.keys(patch).sort().join(',') },
  });
  await emit(tx, 'visit.updated', row.site_id, { visitId });
  return (await loadVisit(tx, visitId))!;
}

export async function cancelVisit(tx: Queryable, actor: Actor, visitId: string): Promise<Visit> {
  const [row] = await tx.query<{ status: string; site_id: string }>(
    'SELECT status, site_id FROM visits WHERE id = $1 FOR UPDATE',
    [visitId],
  );
  if (!row) throw notFound('visit');
  if (row.status === 'checked_in')
    throw conflict('visit_in_progress', 'The visitor is on site: check them out instead.');
  if (row.status !== 'expected')
    throw conflict('visit_not_cancellable', `The visit is already ${row.status.replace('_', ' ')}.`);
  await tx.query("UPDATE visits SET status = 'cancelled', updated_at = now() WHERE id = $1", [visitId]);
  await tx.query('UPDATE qr_tokens SET revoked_at = now() WHERE visit_id = $1 AND revoked_at IS NULL', [visitId]);
  await recordAudit(tx, {
    ...auditActor(actor),
    action: 'visit.cancelled',
    targetType: 'visit',
    targetId: visitId,
    outcome: 'success',
  });
  await emit(tx, 'visit.cancelled', row.site_id, { visitId });
  return (await loadVisit(tx, visitId))!;
}

type VerifiedScan = { visitId: string; jti: string; displayName: string };

/** The kid a token names, if it is readable at all (the verifier refuses everything else). */
function kidOf(token: string): string | undefined {
  try {
    const { kid } = decodeProtectedHeader(token);
    return typeof kid === 'string' ? kid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies a scanned QR token for this site at the moment of the scan with the keys of the kiosk's tenant only (a
 * code of another tenant is not a valid code here), mapping failures to the contract's 422s.
 */
export async function verifyScan(
  ctx: AppContext,
  scope: { tenantId: string; siteId: string },
  token: string,
  at: Date,
): Promise<VerifiedScan> {
  const keys = await ctx.keys.qrVerificationKeys(scope.tenantId, kidOf(token));
  const result = await verifyVisitToken(token, { keys, issuer: QR_ISSUER, siteId: scope.siteId, now: at });
  if (!result.ok) {
    const messages = {
      invalid_token: 'This is not a valid Atrium visitor code.',
      token_expired: 'This visitor code has expired.',
      token_not_yet_valid: 'This visitor code is not valid yet. Please come back closer to your arrival time.',
      wrong_site: 'This visitor code is for another location.',
    } as const;
    throw unprocessable(result.reason, messages[result.reason]);
  }
  return { visitId: result.claims.visitId, jti: result.claims.jti, displayName: result.claims.displayName };
}

/**
 * When the scan happened: the kiosk's time, bounded (a queued scan may be old, but not days old or in the future).
 * Offline when the kiosk says it accepted the scan without us, or when it reaches us well after it happened.
 */
export function scanTime(ctx: AppContext, occurredAt: string, acceptedOffline = false): { at: Date; offline: boolean } {
  const now = ctx.now();
  const at = new Date(occurredAt);
  if (at.getTime() > now.getTime() + 2 * 60_000) throw invalidInput('occurredAt', 'is in the future');
  if (now.getTime() - at.getTime() > MAX_QUEUE_AGE_MS) throw invalidInput('occurredAt', 'is more than 72 hours ago');
  return { at, offline: acceptedOffline || now.getTime() - at.getTime() > OFFLINE_LAG_MS };
}

type Outcome<T> = { ok: true; status: 200 | 201; body: T } | { ok: false; error: AppError };

type Operation = 'check_in' | 'check_out' | 'walk_in';

/** Who sent a request and about which visit: an idempotency key answers only within this scope. */
interface KeyScope {
  kioskId: string | null;
  userId: string | null;
  visitId: string;
}

/**
 * Claims an idempotency key within its scope (actor, operation and visit; a walk-in's visit is new on every attempt,
 * so there the actor and operation alone); undefined if a committed request already holds it. The same key from
 * another kiosk or user, for another operation or visit is a new key: it neither answers with nor blocks the other.
 * The visit must be locked by the caller (it exists, and a concurrent retry waits for the first attempt).
 */
async function claimKey(
  tx: Queryable,
  kind: Operation,
  key: string,
  scope: KeyScope & { occurredAt: Date; offline: boolean },
): Promise<string | undefined> {
  const [row] = await tx.query<{ id: string }>(
    `INSERT INTO check_ins (tenant_id, kind, idempotency_key, kiosk_id, user_id, visit_id, occurred_at, offline)
     VALUES (app_current_tenant(), $1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT DO NOTHING RETURNING id`,
    [kind, key, scope.kioskId, scope.userId, scope.visitId, scope.occurredAt, scope.offline],
  );
  return row?.id;
}

async function failAndRelease<T>(tx: Queryable, checkInId: string, error: AppError): Promise<Outcome<T>> {
  // The key is released so a retry is judged afresh; anything else this transaction wrote (a conflict) stays.
  await tx.query('DELETE FROM check_ins WHERE id = $1', [checkInId]);
  return { ok: false, error };
}

async function checkInBody(ctx: AppContext, tx: Queryable, checkInId: string): Promise<CheckInResponse | undefined> {
  const [row] = await tx.query<{
    visit_id: string;
    voucher_id: string;
    username: string;
    password_sealed: string;
    valid_until: Date;
    name: string;
    wifi_ssid: string;
  }>(
    `SELECT c.visit_id, c.voucher_id, w.username, w.password_sealed, w.valid_until, p.name, s.wifi_ssid
       FROM check_ins c JOIN vouchers w ON w.id = c.voucher_id JOIN visits v ON v.id = c.visit_id
       JOIN visitors p ON p.id = v.visitor_id JOIN sites s ON s.id = v.site_id
      WHERE c.id = $1`,
    [checkInId],
  );
  if (!row) return undefined;
  return {
    visitId: row.visit_id,
    displayName: shortDisplayName(row.name),
    voucher: {
      username: row.username,
      password: ctx.box.open(row.password_sealed, voucherContext(row.voucher_id)).toString(),
      ssid: row.wifi_ssid,
      validUntil: row.valid_until.toISOString(),
    },
  };
}

/** The request stored under an idempotency key in this scope, for a retry. */
async function replay(tx: Queryable, kind: Operation, key: string, scope: KeyScope) {
  const [row] = await tx.query<{ id: string; visit_id: string }>(
    `SELECT id, visit_id FROM check_ins
      WHERE kind = $1 AND idempotency_key = $2 AND kiosk_id IS NOT DISTINCT FROM $3 AND user_id IS NOT DISTINCT FROM $4
        AND (kind = 'walk_in' OR visit_id = $5)`,
    [kind, key, scope.kioskId, scope.userId, scope.visitId],
  );
  if (!row) {
    return {
      ok: false as const,
      error: conflict('idempotency_key_reused', 'This idempotency key belongs to another request.'),
    };
  }
  return { ok: true as const, row };
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

/**
 * The check-in, in one transaction: lock the visit, claim the idempotency key, consume the QR token's jti (exactly one
 * winner), mark the visit checked in, issue the voucher, audit, and write the outbox events.
 */
export async function checkIn(ctx: AppContext, tx: Queryable, input: CheckInInput): Promise<Outcome<CheckInResponse>> {
  // Locked first: a key is claimed only for a visit that exists, and concurrent scans of one visit queue here.
  const [visit] = await tx.query<{ status: string; site_id: string; expected_departure: Date }>(
    'SELECT status, site_id, expected_departure FROM visits WHERE id = $1 FOR UPDATE',
    [input.visitId],
  );
  if (!visit) {
    return {
      ok: false,
      error: input.jti ? unprocessable('invalid_token', 'This is not a valid Atrium visitor code.') : notFound('visit'),
    };
  }
  const operation = input.operation ?? 'check_in';
  const scope = {
    kioskId: input.kioskId,
    userId: input.actor.type === 'user' ? input.actor.id : null,
    visitId: input.visitId,
  };
  const checkInId = await claimKey(tx, operation, input.idempotencyKey, {
    ...scope,
    occurredAt: input.occurredAt,
    offline: input.offline,
  });
  if (!checkInId) {
    const previous = await replay(tx, operation, input.idempotencyKey, scope);
    if (!previous.ok) return previous;
    const body = await checkInBody(ctx, tx, previous.row.id);
    return body
      ? { ok: true, status: 200, body }
      : { ok: false, error: conflict('already_used', 'This visitor code has already been used.') };
  }

  const consumed = input.jti
    ? await tx.query(
        `UPDATE qr_tokens SET consumed_at = now(), consumed_by_kiosk = $3
          WHERE jti = $1 AND visit_id = $2 AND consumed_at IS NULL AND revoked_at IS NULL RETURNING jti`,
        [input.jti, input.visitId, input.kioskId],
      )
    : await tx.query(
        `UPDATE qr_tokens SET consumed_at = now(), consumed_by_kiosk = NULL
          WHERE visit_id = $1 AND consumed_at IS NULL AND revoked_at IS NULL RETURNING jti`,
        [input.visitId],
      );
  if (visit.site_id !== input.siteId)
    return failAndRelease(tx, checkInId, unprocessable('wrong_site', 'This visitor code is for another location.'));
  if (visit.status === 'cancelled')
    return failAndRelease(tx, checkInId, unprocessable('visit_cancelled', 'This visit has been cancelled.'));
  if (consumed.length === 0 || visit.status !== 'expected') {
    if (input.jti) {
      const [token] = await tx.query<{
        revoked_at: Date | null;
        consumed_by_kiosk: string | null;
        consumed_at: Date | null;
      }>('SELECT revoked_at, consumed_by_kiosk, consumed_at FROM qr_tokens WHERE jti = $1', [input.jti]);
      if (!token)
        return failAndRelease(
          tx,
          checkInId,
          unprocessable('invalid_token', 'This is not a valid Atrium visitor code.'),
        );
      if (token.revoked_at && !token.consumed_at) {
        return failAndRelease(
          tx,
          checkInId,
          unprocessable('invalid_token', 'This visitor code was replaced by a newer one.'),
        );
      }
      if (input.offline && token.consumed_by_kiosk !== input.kioskId) {
        // Two kiosks accepted the same code while offline: one check-in stands, staff see the other.
        const [found] = await tx.query<{ id: string }>(
          `INSERT INTO check_in_conflicts (tenant_id, visit_id, jti, kiosk_id, first_kiosk_id, occurred_at)
           VALUES (app_current_tenant(), $1, $2, $3, $4, $5) RETURNING id`,
          [input.visitId, input.jti, input.kioskId, token.consumed_by_kiosk, input.occurredAt],
        );
        await recordAudit(tx, {
          ...auditActor(input.actor),
          action: 'visit.replay_conflict',
          targetType: 'visit',
          targetId: input.visitId,
          outcome: 'denied',
          details: { conflictId: found!.id, firstKioskId: token.consumed_by_kiosk },
        });
        await emit(tx, 'check_in.conflict', visit.site_id, {
          conflictId: found!.id,
          visitId: input.visitId,
          kioskId: input.kioskId,
        });
      }
    }
    return failAndRelease(tx, checkInId, conflict('already_used', 'This visitor code has already been used.'));
  }

  await tx.query("UPDATE visits SET status = 'checked_in', checked_in_at = $2, updated_at = now() WHERE id = $1", [
    input.visitId,
    input.occurredAt,
  ]);
  const voucher = await issueVoucher(tx, ctx.box, {
    siteId: visit.site_id,
    visitId: input.visitId,
    validFrom: ctx.now(),
    validUntil: visit.expected_departure,
  });
  await tx.query('UPDATE check_ins SET voucher_id = $2 WHERE id = $1', [checkInId, voucher.id]);
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
  return { ok: true, status: 201, body: (await checkInBody(ctx, tx, checkInId))! };
}

export interface CheckOutInput {
  visitId: string;
  siteId: string | null;
  idempotencyKey: string;
  occurredAt: Date;
  offline: boolean;
  kioskId: string | null;
  actor: Actor;
  reason: 'kiosk' | 'staff';
}

export async function checkOut(tx: Queryable, input: CheckOutInput): Promise<Outcome<{ visitId: string }>> {
  // Locked first, as in checkIn: the key is claimed only for a visit that exists and is this kiosk's site's.
  const [visit] = await tx.query<{ status: string; site_id: string }>(
    'SELECT status, site_id FROM visits WHERE id = $1 FOR UPDATE',
    [input.visitId],
  );
  if (!visit || (input.siteId && visit.site_id !== input.siteId)) {
    return {
      ok: false,
      error: input.siteId
        ? unprocessable('wrong_site', 'This visitor code is for another location.')
        : notFound('visit'),
    };
  }
  const scope = {
    kioskId: input.kioskId,
    userId: input.actor.type === 'user' ? input.actor.id : null,
    visitId: input.visitId,
  };
  const checkOutId = await claimKey(tx, 'check_out', input.idempotencyKey, {
    ...scope,
    occurredAt: input.occurredAt,
    offline: input.offline,
  });
  if (!checkOutId) {
    const previous = await replay(tx, 'check_out', input.idempotencyKey, scope);
    if (!previous.ok) return previous;
    return { ok: true, status: 200, body: { visitId: previous.row.visit_id } };
  }
  if (visit.status !== 'checked_in') {
    return failAndRelease(tx, checkOutId, conflict('not_checked_in', 'This visitor is not checked in.'));
  }
  await tx.query("UPDATE visits SET status = 'checked_out', checked_out_at = $2, updated_at = now() WHERE id = $1", [
    input.visitId,
    input.occurredAt,
  ]);
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

/** Runs a check-in/out transaction and turns its outcome into a thrown error or a status and body. */
export async function settle<T>(promise: Promise<Outcome<T>>): Promise<{ status: 200 | 201; body: T }> {
  const outcome = await promise;
  if (!outcome.ok) throw outcome.error;
  return { status: outcome.status, body: outcome.body };
}

/** Expires visits past their departure and revokes their vouchers, in batches; safe to run on every replica. */
export async function expireVisits(ctx: AppContext, tenantId: string, batch = 200): Promise<number> {
  let total = 0;
  for (;;) {
    const expired = await ctx.db.withTenant(tenantId, async (tx) => {
      const rows = await tx.query<{ id: string; site_id: string }>(
        `SELECT id, site_id FROM visits WHERE status IN ('expected', 'checked_in') AND expected_departure <= $1
          ORDER BY expected_departure LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [ctx.now(), batch],
      );
      for (const row of rows) {
        await tx.query("UPDATE visits SET status = 'expired', updated_at = now() WHERE id = $1", [row.id]);
        await tx.query('UPDATE qr_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE visit_id = $1', [row.id]);
        const revoked = await revokeVisitVouchers(tx, row.id, 'expired');
        await recordAudit(tx, {
          actorType: 'system',
          action: 'visit.expired',
          targetType: 'visit',
          targetId: row.id,
          outcome: 'success',
        });
        await emit(tx, 'visit.expired', row.site_id, { visitId: row.id });
        await emitVoucherRevocations(tx, row.id, revoked);
      }
      return rows.length;
    });
    total += expired;
    if (expired < batch) return total;
  }
}
