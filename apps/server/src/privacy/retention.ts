import { type ExpressionBuilder, sql } from 'kysely';
import { recordAudit } from '../audit/record';
import type { AppContext } from '../context';
import type { Database, Tx } from '../db';
import { RETENTION_ROLE } from '../db/database';
import type { DB, Visitors } from '../db/schema';

export const DEFAULT_RETENTION_DAYS = 30;
export const DEFAULT_AUDIT_RETENTION_DAYS = 365;
const BATCH = 500;
const DAY_MS = 24 * 3600_000;

export interface PurgeCounts {
  visitors: number;
  visits: number;
  events: number;
  auditEvents: number;
}

/** The tenant's retention periods in days, null where it keeps the default. */
export function retentionSettings(tx: Tx) {
  return tx
    .selectFrom('tenants')
    .select([
      // jsonb field as int: the settings are schemaless JSON.
      sql<number | null>`(settings->>'retentionDays')::int`.as('retention'),
      sql<number | null>`(settings->>'auditRetentionDays')::int`.as('audit'),
    ])
    .executeTakeFirst();
}

/** Visitors whose every visit ended before `cutoff` (or who never had one and are older): the purge takes them. */
function purgeableVisitors(tx: Tx, cutoff: Date) {
  const visitsOf = (eb: ExpressionBuilder<DB & { p: Visitors }, 'p'>) =>
    eb.selectFrom('visits as v').select('v.id').whereRef('v.visitor_id', '=', 'p.id');
  return tx
    .selectFrom('visitors as p')
    .select('p.id')
    .where((eb) =>
      eb.and([
        eb.not(
          eb.exists(
            visitsOf(eb).where((eb) =>
              eb.or([
                eb('v.status', 'in', ['expected', 'checked_in']),
                eb(eb.fn.coalesce('v.checked_out_at', 'v.expected_departure'), '>=', cutoff),
              ]),
            ),
          ),
        ),
        eb.or([eb.exists(visitsOf(eb)), eb('p.created_at', '<', cutoff)]),
      ]),
    );
}

/** What the next purge would delete if retention were `retentionDays`: shown before an admin shortens it. */
export async function retentionPreview(
  deps: { db: Database; now: () => Date },
  tenantId: string,
  retentionDays: number,
): Promise<{ retentionDays: number; visitors: number; visits: number }> {
  const cutoff = new Date(deps.now().getTime() - retentionDays * DAY_MS);
  return deps.db.withTenant(tenantId, async (tx) => {
    const counts = await tx
      .selectNoFrom((eb) => [
        eb.selectFrom(purgeableVisitors(tx, cutoff).as('gone')).select(eb.fn.countAll<string>().as('n')).as('visitors'),
        eb
          .selectFrom('visits')
          .select(eb.fn.countAll<string>().as('n'))
          .where('visitor_id', 'in', purgeableVisitors(tx, cutoff))
          .as('visits'),
      ])
      .executeTakeFirstOrThrow();
    return { retentionDays, visitors: Number(counts.visitors), visits: Number(counts.visits) };
  });
}

/**
 * Deletes visitor PII (and everything tied to it: visits, QR tokens, check-ins, vouchers, WiFi sessions) once a visit
 * ended more than `retentionDays` ago, old outbox events with it, and audit entries past their own retention. Batched,
 * and safe on several replicas at once (SKIP LOCKED).
 */
export async function purgeTenant(ctx: AppContext, tenantId: string): Promise<PurgeCounts> {
  const counts: PurgeCounts = { visitors: 0, visits: 0, events: 0, auditEvents: 0 };
  const settings = await ctx.db.withTenant(tenantId, retentionSettings);
  const now = ctx.now().getTime();
  const cutoff = new Date(now - (settings?.retention ?? DEFAULT_RETENTION_DAYS) * DAY_MS);
  const auditCutoff = new Date(now - (settings?.audit ?? DEFAULT_AUDIT_RETENTION_DAYS) * DAY_MS);

  for (;;) {
    const batch = await ctx.db.withTenant(tenantId, async (tx) => {
      const visitors = await purgeableVisitors(tx, cutoff)
        .orderBy('p.id')
        .limit(BATCH)
        .forUpdate()
        .skipLocked()
        .execute();
      if (visitors.length === 0) return { visitors: 0, visits: 0 };
      const ids = visitors.map((row) => row.id);
      const visits = await tx.deleteFrom('visits').where('visitor_id', 'in', ids).returning('id').execute();
      await tx.deleteFrom('visitors').where('id', 'in', ids).execute();
      return { visitors: ids.length, visits: visits.length };
    });
    counts.visitors += batch.visitors;
    counts.visits += batch.visits;
    if (batch.visitors < BATCH) break;
  }
  // Sessions of vouchers already gone are removed by cascade; orphans (no voucher matched) age out with the same cut-off.
  await ctx.db.withTenant(tenantId, async (tx) => {
    await tx.deleteFrom('radius_sessions').where('voucher_id', 'is', null).where('updated_at', '<', cutoff).execute();
    // Agents resend within minutes; a day of ids is plenty to recognise a resend.
    await tx
      .deleteFrom('agent_event_ids')
      .where('received_at', '<', new Date(now - DAY_MS))
      .execute();
  });

  for (;;) {
    const removed = await ctx.db.withTenant(
      tenantId,
      async (tx) => ({
        events: (
          await tx
            .deleteFrom('events')
            .where('id', 'in', (eb) =>
              eb.selectFrom('events').select('id').where('created_at', '<', cutoff).limit(BATCH),
            )
            .returning('id')
            .execute()
        ).length,
        audit: (
          await tx
            .deleteFrom('audit_events')
            .where('id', 'in', (eb) =>
              eb.selectFrom('audit_events').select('id').where('occurred_at', '<', auditCutoff).limit(BATCH),
            )
            .returning('id')
            .execute()
        ).length,
      }),
      RETENTION_ROLE,
    );
    counts.events += removed.events;
    counts.auditEvents += removed.audit;
    if (removed.events < BATCH && removed.audit < BATCH) break;
  }
  if (counts.visitors + counts.events + counts.auditEvents > 0) {
    await ctx.db.withTenant(tenantId, (tx) =>
      recordAudit(tx, { actorType: 'system', action: 'retention.purged', outcome: 'success', details: { ...counts } }),
    );
  }
  return counts;
}
