import { randomUUID } from 'node:crypto';
import type { CreatedVisit, CreateVisitRequest, updateVisitSchema, Visit } from '@atrium/protocol';
import { sql } from 'kysely';
import type { z } from 'zod';
import { recordAudit } from '../audit/record';
import type { KeyRing } from '../auth/keys';
import type { Database, Tx } from '../db';
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
async function checkHost(tx: Tx, siteId: string, hostUserId: string): Promise<void> {
  const host = await tx
    .selectFrom('users as u')
    .select('u.id')
    .where('u.id', '=', hostUserId)
    .where('u.status', '=', 'active')
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('user_site_roles as r')
          .select('r.id')
          .whereRef('r.user_id', '=', 'u.id')
          .where((eb) => eb.or([eb('r.site_id', '=', siteId), eb('r.site_id', 'is', null)])),
      ),
    )
    .executeTakeFirst();
  if (!host) throw invalidInput('hostUserId', 'is not an active user of this site');
}

// The RLS helper: the tenant the transaction was opened for.
const currentTenant = sql<string>`app_current_tenant()`;

/** A new QR code for the visit, valid until its departure. */
async function issueQrToken(tx: Tx, visitId: string, siteId: string, departure: Date): Promise<void> {
  await tx
    .insertInto('qr_tokens')
    .values({ jti: randomUUID(), tenant_id: currentTenant, visit_id: visitId, site_id: siteId, expires_at: departure })
    .execute();
}

const retireQrTokens = (tx: Tx, visitId: string) =>
  tx
    .updateTable('qr_tokens')
    .set({ revoked_at: sql`now()` })
    .where('visit_id', '=', visitId)
    .where('revoked_at', 'is', null)
    .execute();

/** Records a new visit with its visitor and QR token inside the caller's transaction (walk-ins check it in next). */
export async function recordVisit(tx: Tx, now: Date, actor: Actor, input: NewVisit): Promise<Visit> {
  const site = await loadSite(tx, input.siteId);
  if (!site) throw invalidInput('siteId', 'is not a site you can see');
  const arrival = new Date(input.expectedArrival);
  const departure = new Date(input.expectedDeparture);
  checkTimes(arrival, departure, site.settings.maxVisitHours, now);
  if (input.hostUserId) await checkHost(tx, input.siteId, input.hostUserId);
  const visitor = await tx
    .insertInto('visitors')
    .values({
      tenant_id: currentTenant,
      name: input.visitor.name,
      email: input.visitor.email ?? null,
      company: input.visitor.company ?? null,
      phone: input.visitor.phone ?? null,
      language: input.visitor.language ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const visit = await tx
    .insertInto('visits')
    .values({
      tenant_id: currentTenant,
      site_id: input.siteId,
      visitor_id: visitor.id,
      host_user_id: input.hostUserId,
      expected_arrival: arrival,
      expected_departure: departure,
      created_by: actor.type === 'user' ? actor.id : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await issueQrToken(tx, visit.id, input.siteId, departure);
  await recordAudit(tx, {
    ...auditActor(actor),
    action: 'visit.created',
    targetType: 'visit',
    targetId: visit.id,
    outcome: 'success',
  });
  await emit(tx, 'visit.created', input.siteId, { visitId: visit.id, sendInvitation: input.sendInvitation ?? true });
  return (await loadVisit(tx, visit.id))!;
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
    const row = await tx
      .selectFrom('visits')
      .select(['status', 'site_id', 'visitor_id', 'expected_arrival', 'expected_departure'])
      .where('id', '=', visitId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw notFound('visit');
    if (row.status !== 'expected' && (patch.expectedArrival || patch.expectedDeparture)) {
      throw conflict('visit_not_editable', 'Only a visit that has not started can be moved.');
    }
    if (patch.visitor) {
      const v = patch.visitor;
      // A field left out (or null) keeps its value.
      await tx
        .updateTable('visitors')
        .set((eb) => ({
          name: eb.fn.coalesce(eb.val(v.name ?? null), 'name'),
          email: eb.fn.coalesce(eb.val(v.email ?? null), 'email'),
          company: eb.fn.coalesce(eb.val(v.company ?? null), 'company'),
          phone: eb.fn.coalesce(eb.val(v.phone ?? null), 'phone'),
          language: eb.fn.coalesce(eb.val(v.language ?? null), 'language'),
        }))
        .where('id', '=', row.visitor_id)
        .execute();
    }
    if (patch.hostUserId) {
      await checkHost(tx, row.site_id, patch.hostUserId);
      await tx.updateTable('visits').set({ host_user_id: patch.hostUserId }).where('id', '=', visitId).execute();
    }
    if (patch.expectedArrival || patch.expectedDeparture) {
      const arrival = patch.expectedArrival ? new Date(patch.expectedArrival) : row.expected_arrival;
      const departure = patch.expectedDeparture ? new Date(patch.expectedDeparture) : row.expected_departure;
      const site = await loadSite(tx, row.site_id);
      checkTimes(arrival, departure, site!.settings.maxVisitHours, deps.now());
      await tx
        .updateTable('visits')
        .set({ expected_arrival: arrival, expected_departure: departure, updated_at: sql`now()` })
        .where('id', '=', visitId)
        .execute();
      // The old QR code carried the old times: retire it (kiosks learn it from the revocation list) and issue a new one.
      await retireQrTokens(tx, visitId);
      await issueQrToken(tx, visitId, row.site_id, departure);
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
    const row = await tx
      .selectFrom('visits')
      .select(['status', 'site_id'])
      .where('id', '=', visitId)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw notFound('visit');
    if (row.status === 'checked_in')
      throw conflict('visit_in_progress', 'The visitor is on site: check them out instead.');
    if (row.status !== 'expected')
      throw conflict('visit_not_cancellable', `The visit is already ${row.status.replace('_', ' ')}.`);
    await tx
      .updateTable('visits')
      .set({ status: 'cancelled', updated_at: sql`now()` })
      .where('id', '=', visitId)
      .execute();
    await retireQrTokens(tx, visitId);
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
