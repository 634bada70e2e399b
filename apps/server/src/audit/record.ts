import { sql } from 'kysely';
import type { Tx } from '../db';

export interface AuditEvent {
  actorType: 'user' | 'kiosk' | 'agent' | 'system' | 'anonymous';
  actorId?: string | null;
  action: string;
  targetType?: string;
  targetId?: string | null;
  outcome: 'success' | 'failure' | 'denied';
  ip?: string | null;
  /** Ids and codes only: never names, emails, phone numbers, passwords or tokens. */
  details?: Record<string, string | number | boolean | null>;
}

/** Appends one audit entry inside the caller's tenant transaction (the row's tenant is the transaction's). */
export async function recordAudit(tx: Tx, event: AuditEvent): Promise<void> {
  await tx
    .insertInto('audit_events')
    .values({
      // The RLS helper: the tenant the transaction was opened for.
      tenant_id: sql<string>`app_current_tenant()`,
      actor_type: event.actorType,
      actor_id: event.actorId ?? null,
      action: event.action,
      target_type: event.targetType ?? null,
      target_id: event.targetId ?? null,
      outcome: event.outcome,
      ip: event.ip ?? null,
      details: JSON.stringify(event.details ?? {}),
    })
    .execute();
}
