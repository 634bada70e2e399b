import type { OnSiteEntry, Visit } from '@atrium/protocol';
import { recordAudit } from '../audit/record';
import type { Database, Tx } from '../db';
import { type Actor, auditActor } from './actor';

interface VisitRow {
  id: string;
  status: Visit['status'];
  site_id: string;
  visitor_id: string;
  visitor_name: string;
  visitor_email: string | null;
  visitor_company: string | null;
  visitor_phone: string | null;
  host_user_id: string | null;
  host_name: string | null;
  expected_arrival: Date;
  expected_departure: Date;
  checked_in_at: Date | null;
  checked_out_at: Date | null;
  created_at: Date;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export const VISIT_SELECT = `
  SELECT v.id, v.status, v.site_id, v.visitor_id, p.name AS visitor_name, p.email AS visitor_email,
         p.company AS visitor_company, p.phone AS visitor_phone, v.host_user_id, h.name AS host_name,
         v.expected_arrival, v.expected_departure, v.checked_in_at, v.checked_out_at, v.created_at
    FROM visits v JOIN visitors p ON p.id = v.visitor_id LEFT JOIN users h ON h.id = v.host_user_id`;

export function toVisit(row: VisitRow): Visit {
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
  const [row] = await tx.query<VisitRow>(`${VISIT_SELECT} WHERE v.id = $1`, [visitId]);
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
  const rows = await db.withTenant(tenantId, (tx) =>
    tx.query<VisitRow>(
      `${VISIT_SELECT}
      WHERE ($1::uuid[] IS NULL OR v.site_id = ANY($1::uuid[]) OR v.host_user_id = $2)
        AND ($3::uuid IS NULL OR v.site_id = $3)
        AND ($4::text IS NULL OR v.status = $4)
        AND ($5::timestamptz IS NULL OR v.expected_departure >= $5)
        AND ($6::timestamptz IS NULL OR v.expected_arrival < $6)
        AND ($7::text IS NULL OR p.name ILIKE '%' || $7 || '%' OR p.company ILIKE '%' || $7 || '%' OR p.email ILIKE '%' || $7 || '%')
      ORDER BY v.expected_arrival DESC, v.id
      LIMIT $8`,
      [
        filter.staffSiteIds,
        filter.hostUserId,
        filter.siteId ?? null,
        filter.status ?? null,
        filter.from ?? null,
        filter.to ?? null,
        filter.q ?? null,
        filter.limit,
      ],
    ),
  );
  return rows.map(toVisit);
}

/** Who is on site now, oldest arrival first; undefined when the tenant has no such site. */
export async function onSite(db: Database, tenantId: string, siteId: string): Promise<OnSiteEntry[] | undefined> {
  return db.withTenant(tenantId, async (tx) => {
    const [site] = await tx.query('SELECT 1 FROM sites WHERE id = $1', [siteId]);
    return site ? onSiteAt(tx, siteId) : undefined;
  });
}

async function onSiteAt(tx: Tx, siteId: string): Promise<OnSiteEntry[]> {
  const rows = await tx.query<{
    id: string;
    visitor_id: string;
    name: string;
    host_name: string | null;
    checked_in_at: Date;
    offline: boolean | null;
  }>(
    `SELECT v.id, v.visitor_id, p.name, h.name AS host_name, v.checked_in_at,
            (SELECT bool_or(c.offline) FROM check_ins c WHERE c.visit_id = v.id AND c.kind <> 'check_out') AS offline
       FROM visits v JOIN visitors p ON p.id = v.visitor_id LEFT JOIN users h ON h.id = v.host_user_id
      WHERE v.site_id = $1 AND v.status = 'checked_in'
      ORDER BY v.checked_in_at, v.id`,
    [siteId],
  );
  return rows.map((row) => ({
    visitId: row.id,
    visitorId: row.visitor_id,
    name: row.name,
    hostName: row.host_name,
    checkedInAt: row.checked_in_at.toISOString(),
    offline: row.offline ?? false,
  }));
}
