import type { OnSiteEntry, Visit } from '@atrium/protocol';
import { recordAudit } from '../audit/record';
import type { Database, Tx } from '../db';
import { type Actor, auditActor } from './actor';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** Visits with their visitor and host's name, for the caller to filter. */
const visitRows = (tx: Tx) =>
  tx
    .selectFrom('visits as v')
    .innerJoin('visitors as p', 'p.id', 'v.visitor_id')
    .leftJoin('users as h', 'h.id', 'v.host_user_id')
    .select([
      'v.id',
      'v.status',
      'v.site_id',
      'v.visitor_id',
      'p.name as visitor_name',
      'p.email as visitor_email',
      'p.company as visitor_company',
      'p.phone as visitor_phone',
      'v.host_user_id',
      'h.name as host_name',
      'v.expected_arrival',
      'v.expected_departure',
      'v.checked_in_at',
      'v.checked_out_at',
      'v.created_at',
    ])
    .$narrowType<{ status: Visit['status'] }>();

type VisitRow = Awaited<ReturnType<ReturnType<typeof visitRows>['executeTakeFirstOrThrow']>>;

function toVisit(row: VisitRow): Visit {
  return {
    id: row.id,
    status: row.status,
    siteId: row.site_id,
    visitorId: row.visitor_id,
    visitor: {
      id: row.visitor_id,
      name: row.visitor_name,
      email: row.visitor_email,
      company: row.visitor_company,
      phone: row.visitor_phone,
    },
    hostUserId: row.host_user_id,
    hostName: row.host_name,
    expectedArrival: row.expected_arrival.toISOString(),
    expectedDeparture: row.expected_departure.toISOString(),
    checkedInAt: iso(row.checked_in_at),
    checkedOutAt: iso(row.checked_out_at),
    createdAt: row.created_at.toISOString(),
  };
}

export async function loadVisit(tx: Tx, visitId: string): Promise<Visit | undefined> {
  const row = await visitRows(tx).where('v.id', '=', visitId).executeTakeFirst();
  return row && toVisit(row);
}

/** One visit, for the caller to decide who may see it; undefined when the tenant has no such visit. */
export function findVisit(db: Database, tenantId: string, visitId: string): Promise<Visit | undefined> {
  return db.withTenant(tenantId, (tx) => loadVisit(tx, visitId));
}

/** A user opened a visit and so its visitor's personal details: audited. */
export async function recordVisitorViewed(db: Database, tenantId: string, actor: Actor, visit: Visit): Promise<void> {
  await db.withTenant(tenantId, (tx) =>
    recordAudit(tx, {
      ...auditActor(actor),
      action: 'visitor.viewed',
      targetType: 'visitor',
      targetId: visit.visitorId,
      outcome: 'success',
      details: { visitId: visit.id },
    }),
  );
}

export async function listVisits(
  db: Database,
  tenantId: string,
  filter: {
    /** Sites whose visits the caller sees as staff; null for all. */
    staffSiteIds: string[] | null;
    /** The caller: hosts always see the visits they host. */
    hostUserId: string;
    siteId?: string | undefined;
    status?: string | undefined;
    from?: string | undefined;
    to?: string | undefined;
    q?: string | undefined;
    limit: number;
  },
): Promise<Visit[]> {
  const { staffSiteIds, hostUserId, siteId, status, from, to, q } = filter;
  const rows = await db.withTenant(tenantId, (tx) => {
    let query = visitRows(tx);
    if (staffSiteIds !== null) {
      query = query.where((eb) =>
        eb.or([eb('v.site_id', '=', eb.fn.any(eb.val(staffSiteIds))), eb('v.host_user_id', '=', hostUserId)]),
      );
    }
    if (siteId !== undefined) query = query.where('v.site_id', '=', siteId);
    if (status !== undefined) query = query.where('v.status', '=', status);
    // Compared as PostgreSQL reads the ISO time, to the microsecond.
    if (from !== undefined)
      query = query.where((eb) => eb('v.expected_departure', '>=', eb.cast<Date>(eb.val(from), 'timestamptz')));
    if (to !== undefined)
      query = query.where((eb) => eb('v.expected_arrival', '<', eb.cast<Date>(eb.val(to), 'timestamptz')));
    if (q !== undefined) {
      const pattern = `%${q}%`;
      query = query.where((eb) =>
        eb.or([eb('p.name', 'ilike', pattern), eb('p.company', 'ilike', pattern), eb('p.email', 'ilike', pattern)]),
      );
    }
    return query.orderBy('v.expected_arrival', 'desc').orderBy('v.id').limit(filter.limit).execute();
  });
  return rows.map(toVisit);
}

/** Who is on site now, oldest arrival first; undefined when the tenant has no such site. */
export async function onSite(db: Database, tenantId: string, siteId: string): Promise<OnSiteEntry[] | undefined> {
  return db.withTenant(tenantId, async (tx) => {
    const site = await tx.selectFrom('sites').select('id').where('id', '=', siteId).executeTakeFirst();
    return site ? onSiteAt(tx, siteId) : undefined;
  });
}

async function onSiteAt(tx: Tx, siteId: string): Promise<OnSiteEntry[]> {
  const rows = await tx
    .selectFrom('visits as v')
    .innerJoin('visitors as p', 'p.id', 'v.visitor_id')
    .leftJoin('users as h', 'h.id', 'v.host_user_id')
    .select((eb) => [
      'v.id',
      'v.visitor_id',
      'p.name',
      'h.name as host_name',
      'v.checked_in_at',
      eb
        .selectFrom('check_ins as c')
        .select((eb) => eb.fn<boolean | null>('bool_or', ['c.offline']).as('offline'))
        .whereRef('c.visit_id', '=', 'v.id')
        .where('c.kind', '<>', 'check_out')
        .as('offline'),
    ])
    .where('v.site_id', '=', siteId)
    .where('v.status', '=', 'checked_in')
    .orderBy('v.checked_in_at')
    .orderBy('v.id')
    .$narrowType<{ checked_in_at: Date }>()
    .execute();
  return rows.map((row) => ({
    visitId: row.id,
    visitorId: row.visitor_id,
    name: row.name,
    hostName: row.host_name,
    checkedInAt: row.checked_in_at.toISOString(),
    offline: row.offline ?? false,
  }));
}
