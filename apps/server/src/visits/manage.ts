import { randomUUID } from 'node:crypto';
import type { CreatedVisit, CreateVisitRequest, updateVisitSchema, Visit } from '@atrium/protocol';
import type { z } from 'zod';
import { recordAudit } from '../audit/record';
import type { KeyRing } from '../auth/keys';
import type { Database, Queryable } from '../db';
import { type EventDispatcher, emit } from '../events/outbox';
import { conflict, invalidInput, notFound } from '../http/errors';
import { type Actor, auditActor } from './actor';
import { qrTokenFor } from './qr-tokens';
import { loadSite } from './settings';
import { loadVisit } from './views';

/** What creating, changing and cancelling visits use. */
export interface ManageDeps {
  db: Database;
  events: EventDispatcher;
  now: () => Date;
}

export type VisitPatch = z.infer<typeof updateVisitSchema>;
export type NewVisit = Omit<CreateVisitRequest, 'hostUserId'> & { hostUserId: string | null };

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

/** Records a new visit with its visitor and QR token inside the caller's transaction (walk-ins check it in next). */
export async function recordVisit(tx: Queryable, now: Date, actor: Actor, input: NewVisit): Promise<Visit> {
  const site = await loadSite(tx, input.siteId);
  if (!site) throw invalidInput('siteId', 'is not a site you can see');
  const arrival = new Date(input.expectedArrival);
  const departure = new Date(input.expectedDeparture);
  checkTimes(arrival, departure, site.settings.maxVisitHours, now);
  if (input.hostUserId) await checkHost(tx, input.siteId, input.hostUserId);
  const [visitor] = await tx.query<{ id: string }>(
    `INSERT INTO visitors (tenant_id, name, email, company, phone, language)
     VALUES (app_current_tenant(), $1, $2, $3, $4, $5) RETURNING id`,
    [
      input.visitor.name,
      input.visitor.email ?? null,
      input.visitor.company ?? null,
      input.visitor.phone ?? null,
      input.visitor.language ?? null,
    ],
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
  await emit(tx, 'visit.created', input.siteId, { visitId: visit!.id, sendInvitation: input.sendInvitation ?? true });
  return (await loadVisit(tx, visit!.id))!;
}

/** Registers a visit and answers it with its QR code. */
export async function createVisit(
  deps: ManageDeps & { keys: KeyRing },
  tenantId: string,
  actor: Actor,
  input: NewVisit,
): Promise<CreatedVisit> {
  const signer = await deps.keys.qrSigningKey(tenantId);
  const created = await deps.db.withTenant(tenantId, async (tx) => {
    const visit = await recordVisit(tx, deps.now(), actor, input);
    return { ...visit, qrToken: (await qrTokenFor(tx, signer, visit.id))! };
  });
  void deps.events.wake();
  return created;
}

/** Changes a visit's visitor details, host or times; new times retire the old QR code and issue a new one. */
export async function updateVisit(
  deps: ManageDeps,
  tenantId: string,
  actor: Actor,
  visitId: string,
  patch: VisitPatch,
): Promise<Visit> {
  const updated = await deps.db.withTenant(tenantId, async (tx) => {
    const [row] = await tx.query<{
      status: string;
      site_id: string;
      visitor_id: string;
      expected_arrival: Date;
      expected_departure: Date;
    }>(
      'SELECT status, site_id, visitor_id, expected_arrival, expected_departure FROM visits WHERE id = $1 FOR UPDATE',
      [visitId],
    );
    if (!row) throw notFound('visit');
    if (row.status !== 'expected' && (patch.expectedArrival || patch.expectedDeparture)) {
      throw conflict('visit_not_editable', 'Only a visit that has not started can be moved.');
    }
    if (patch.visitor) {
      const v = patch.visitor;
      await tx.query(
        `UPDATE visitors SET name = coalesce($2, name), email = coalesce($3, email), company = coalesce($4, company),
                phone = coalesce($5, phone), language = coalesce($6, language) WHERE id = $1`,
        [row.visitor_id, v.name ?? null, v.email ?? null, v.company ?? null, v.phone ?? null, v.language ?? null],
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
      checkTimes(arrival, departure, site!.settings.maxVisitHours, deps.now());
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
    const newCode = Boolean(patch.expectedArrival || patch.expectedDeparture);
    await emit(tx, 'visit.updated', row.site_id, { visitId, newCode });
    return (await loadVisit(tx, visitId))!;
  });
  void deps.events.wake();
  return updated;
}

/** Cancels a visit that has not started and retires its QR code. */
export async function cancelVisit(
  deps: Omit<ManageDeps, 'now'>,
  tenantId: string,
  actor: Actor,
  visitId: string,
): Promise<Visit> {
  const cancelled = await deps.db.withTenant(tenantId, async (tx) => {
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
  });
  void deps.events.wake();
  return cancelled;
}
