import type { Queryable } from '../db';

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

/**
 * Appends one audit entry inside the caller's tenant transaction (the row's tenant is the transaction's).
 * Raw SQL on `Queryable` until every caller (visits, agents) hands over a `Tx`.
 */
export async function recordAudit(tx: Queryable, event: AuditEvent): Promise<void> {
  await tx.query(
    `INSERT INTO audit_events (tenant_id, actor_type, actor_id, action, target_type, target_id, outcome, ip, details)
     VALUES (app_current_tenant(), $1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      event.actorType,
      event.actorId ?? null,
      event.action,
      event.targetType ?? null,
      event.targetId ?? null,
      event.outcome,
      event.ip ?? null,
      JSON.stringify(event.details ?? {}),
    ],
  );
}
