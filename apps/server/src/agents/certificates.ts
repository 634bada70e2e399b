import { sql } from 'kysely';
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
    const agent = await tx
      .selectFrom('agents')
      .select(['id', 'site_id', 'name', 'revoked_at'])
      .where('id', '=', agentId)
      .forUpdate()
      .executeTakeFirst();
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
    await tx
      .updateTable('agents')
      .set({
        pending_cert_serial: cert.serial,
        pending_cert_fingerprint: cert.fingerprint,
        pending_not_after: cert.notAfter,
        pending_issued_at: now,
      })
      .where('id', '=', agent.id)
      .execute();
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
  const agent = await tx
    .selectFrom('agents')
    .select((eb) => ['id', 'site_id', eb('pending_cert_serial', '=', identity.serial).as('pending')])
    .where('revoked_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb.and([eb('cert_serial', '=', identity.serial), eb('not_after', '>', now)]),
        eb.and([eb('pending_cert_serial', '=', identity.serial), eb('pending_not_after', '>', now)]),
      ]),
    )
    .forUpdate()
    .executeTakeFirst();
  if (!agent || agent.site_id !== identity.siteId) return undefined;
  if (agent.pending) {
    await tx
      .updateTable('agents')
      // The pending columns are set: the row was found by its pending serial.
      .set((eb) => ({
        cert_serial: eb.ref('pending_cert_serial').$notNull(),
        cert_fingerprint: eb.ref('pending_cert_fingerprint').$notNull(),
        not_after: eb.ref('pending_not_after').$notNull(),
        pending_cert_serial: null,
        pending_cert_fingerprint: null,
        pending_not_after: null,
        pending_issued_at: null,
        cert_expiry_warned_on: null,
      }))
      .where('id', '=', agent.id)
      .execute();
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
  return { id: agent.id, siteId: agent.site_id, renewed: agent.pending === true };
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
    // The UTC day as a date: a Date parameter would be a timestamp, cast in the session's zone.
    const today = sql<Date>`${day}::date`;
    const rows = await tx
      .updateTable('agents')
      .set({ cert_expiry_warned_on: today })
      .where('revoked_at', 'is', null)
      .where('not_after', '>', now)
      .where('not_after', '<=', new Date(now.getTime() + CERT_WARNING_DAYS * DAY_MS))
      .where('cert_expiry_warned_on', 'is distinct from', today)
      .returning(['id', 'site_id'])
      .execute();
    for (const row of rows) await emit(tx, 'agent.certificate_expiring', row.site_id, { agentId: row.id });
    return rows.length;
  });
}
