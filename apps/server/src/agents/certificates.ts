import { recordAudit } from '../audit/record';
import type { Database, Tx } from '../db';
import { emit } from '../events/outbox';
import { conflict, notFound } from '../http/errors';
import type { AgentAdmin, AgentIssuerDeps, CertifiedAgent } from './registry';

const DAY_MS = 24 * 3600_000;
/** The dashboard warns, and an event is emitted daily, from this long before a certificate expires. */
export const CERT_WARNING_DAYS = 30;

export const certificateExpiring = (notAfter: Date, now: Date) =>
  notAfter.getTime() - now.getTime() <= CERT_WARNING_DAYS * DAY_MS;

/**
 * Issues a new certificate for a registered agent and keeps it as the agent's pending certificate: the current one
 * keeps working until the new one first connects. A second renewal replaces a pending certificate never used.
 * An agent on a site the admin does not administer is "not found".
 */
export async function renewAgentCertificate(
  deps: AgentIssuerDeps,
  admin: AgentAdmin,
  agentId: string,
): Promise<CertifiedAgent> {
  return deps.db.withTenant(admin.tenantId, async (tx) => {
    const [agent] = await tx.query<{ id: string; site_id: string; name: string; revoked_at: Date | null }>(
      'SELECT id, site_id, name, revoked_at FROM agents WHERE id = $1 FOR UPDATE',
      [agentId],
    );
    if (!agent || !admin.mayManage(agent.site_id)) throw notFound('agent');
    if (agent.revoked_at) throw conflict('agent_revoked', 'This agent has been revoked: register a new agent instead.');
    const now = deps.now();
    const cert = await deps.ca.issueAgentCert({
      tenantId: admin.tenantId,
      siteId: agent.site_id,
      agentId: agent.id,
      now,
      days: deps.config.AGENT_CERT_DAYS,
    });
    // As at registration, the private key is returned once and never stored.
    await tx.query(
      `UPDATE agents SET pending_cert_serial = $2, pending_cert_fingerprint = $3, pending_not_after = $4,
              pending_issued_at = $5 WHERE id = $1`,
      [agent.id, cert.serial, cert.fingerprint, cert.notAfter, now],
    );
    await recordAudit(tx, {
      actorType: 'user',
      actorId: admin.userId,
      action: 'agent.certificate_issued',
      targetType: 'agent',
      targetId: agent.id,
      outcome: 'success',
      ip: admin.ip,
      details: { siteId: agent.site_id, serial: cert.serial },
    });
    return { agent: { id: agent.id, siteId: agent.site_id, name: agent.name }, cert };
  });
}

/**
 * The live agent a presented certificate belongs to, or undefined. The pending certificate counts too: its first
 * connection makes it the current one, after which the old certificate is refused.
 */
export async function agentForCertificate(
  tx: Tx,
  identity: { siteId: string; serial: string },
  now: Date,
): Promise<{ id: string; siteId: string; renewed: boolean } | undefined> {
  const [agent] = await tx.query<{ id: string; site_id: string; pending: boolean }>(
    `SELECT id, site_id, pending_cert_serial = $1 AS pending FROM agents
      WHERE revoked_at IS NULL
        AND ((cert_serial = $1 AND not_after > $2) OR (pending_cert_serial = $1 AND pending_not_after > $2))
      FOR UPDATE`,
    [identity.serial, now],
  );
  if (!agent || agent.site_id !== identity.siteId) return undefined;
  if (agent.pending) {
    await tx.query(
      `UPDATE agents SET cert_serial = pending_cert_serial, cert_fingerprint = pending_cert_fingerprint,
              not_after = pending_not_after, pending_cert_serial = NULL, pending_cert_fingerprint = NULL,
              pending_not_after = NULL, pending_issued_at = NULL, cert_expiry_warned_on = NULL
        WHERE id = $1`,
      [agent.id],
    );
    await recordAudit(tx, {
      actorType: 'agent',
      actorId: agent.id,
      action: 'agent.certificate_renewed',
      targetType: 'agent',
      targetId: agent.id,
      outcome: 'success',
      details: { serial: identity.serial },
    });
    await emit(tx, 'agent.certificate_renewed', agent.site_id, { agentId: agent.id, serial: identity.serial });
  }
  return { id: agent.id, siteId: agent.site_id, renewed: agent.pending };
}

/**
 * Emits `agent.certificate_expiring` for each live agent whose certificate ends within CERT_WARNING_DAYS, at most once
 * per agent per UTC day (the day is recorded on the row, so replicas running this together emit it once).
 */
export async function warnExpiringCertificates(
  deps: { db: Database; now: () => Date },
  tenantId: string,
): Promise<number> {
  const now = deps.now();
  const day = now.toISOString().slice(0, 10);
  return deps.db.withTenant(tenantId, async (tx) => {
    const rows = await tx.query<{ id: string; site_id: string }>(
      `UPDATE agents SET cert_expiry_warned_on = $1::date
        WHERE revoked_at IS NULL AND not_after > $2 AND not_after <= $3
          AND cert_expiry_warned_on IS DISTINCT FROM $1::date
        RETURNING id, site_id`,
      [day, now, new Date(now.getTime() + CERT_WARNING_DAYS * DAY_MS)],
    );
    for (const row of rows) await emit(tx, 'agent.certificate_expiring', row.site_id, { agentId: row.id });
    return rows.length;
  });
}
