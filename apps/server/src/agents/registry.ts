import { randomUUID } from 'node:crypto';
import type { AgentStatusView, AgentView } from '@atrium/protocol';
import { sql } from 'kysely';
import { recordAudit } from '../audit/record';
import type { ContextConfig } from '../context';
import type { Database } from '../db';
import { type EventDispatcher, emit } from '../events/outbox';
import { notFound } from '../http/errors';
import type { CertificateAuthority, IssuedAgentCert } from './ca';
import { certificateExpiring } from './certificates';
import type { AgentHub } from './hub';

/** A user managing agents: who they are, for the audit trail, and which sites they administer. */
export interface AgentAdmin {
  tenantId: string;
  userId: string;
  ip: string | null;
  /** Whether the user administers the site; an agent or site they do not is "not found". */
  mayManage: (siteId: string) => boolean;
}

/** What issuing an agent certificate takes. */
export interface AgentIssuerDeps {
  db: Database;
  ca: CertificateAuthority;
  config: Pick<ContextConfig, 'AGENT_CERT_DAYS'>;
  now: () => Date;
}

/** An agent and the certificate just issued to it; the private key is in it once and never stored. */
export interface CertifiedAgent {
  agent: { id: string; siteId: string; name: string };
  cert: IssuedAgentCert;
}

/** Registers an agent for a site the admin administers, with its first certificate. */
export async function registerAgent(
  deps: AgentIssuerDeps,
  admin: AgentAdmin,
  input: { siteId: string; name: string },
): Promise<CertifiedAgent> {
  const { siteId, name } = input;
  if (!admin.mayManage(siteId)) throw notFound('site');
  const agentId = randomUUID();
  const cert = await deps.ca.issueAgentCert({
    tenantId: admin.tenantId,
    siteId,
    agentId,
    now: deps.now(),
    days: deps.config.AGENT_CERT_DAYS,
  });
  await deps.db.withTenant(admin.tenantId, async (tx) => {
    const site = await tx.selectFrom('sites').select('id').where('id', '=', siteId).executeTakeFirst();
    if (!site) throw notFound('site');
    // The private key is returned once and never stored; serial and fingerprint identify the agent from now on.
    await tx
      .insertInto('agents')
      .values({
        id: agentId,
        // The RLS helper: the tenant the transaction was opened for.
        tenant_id: sql<string>`app_current_tenant()`,
        site_id: siteId,
        name,
        cert_serial: cert.serial,
        cert_fingerprint: cert.fingerprint,
        not_after: cert.notAfter,
        created_by: admin.userId,
      })
      .execute();
    await recordAudit(tx, {
      actorType: 'user',
      actorId: admin.userId,
      action: 'agent.registered',
      targetType: 'agent',
      targetId: agentId,
      outcome: 'success',
      ip: admin.ip,
      details: { siteId, serial: cert.serial },
    });
  });
  return { agent: { id: agentId, siteId, name }, cert };
}

/** The agents of the sites the admin administers, newest first. */
export async function listAgents(
  deps: { db: Database; now: () => Date },
  admin: Pick<AgentAdmin, 'tenantId' | 'mayManage'>,
): Promise<AgentView[]> {
  const rows = await deps.db.withTenant(admin.tenantId, (tx) =>
    tx
      .selectFrom('agents')
      .select([
        'id',
        'site_id',
        'name',
        'connected',
        'last_status',
        'last_seen',
        'revoked_at',
        'not_after',
        'pending_not_after',
        'created_at',
      ])
      .orderBy('created_at', 'desc')
      .$narrowType<{ last_status: AgentStatusView | null }>()
      .execute(),
  );
  const now = deps.now();
  return rows
    .filter((row) => admin.mayManage(row.site_id))
    .map((row) => ({
      id: row.id,
      siteId: row.site_id,
      name: row.name,
      connected: row.connected && !row.revoked_at,
      lastStatus: row.last_status ?? null,
      lastSeen: row.last_seen?.toISOString() ?? null,
      revoked: row.revoked_at !== null,
      certificateExpires: row.not_after.toISOString(),
      certificateExpiring: !row.revoked_at && certificateExpiring(row.not_after, now),
      pendingCertificateExpires: row.pending_not_after?.toISOString() ?? null,
      createdAt: row.created_at.toISOString(),
    }));
}

/**
 * Revokes an agent (again is fine) and closes its link: at once on this replica, through the outbox on the others.
 */
export async function revokeAgent(
  deps: { db: Database; events: EventDispatcher; hub: Pick<AgentHub, 'disconnect'> },
  admin: AgentAdmin,
  agentId: string,
): Promise<void> {
  await deps.db.withTenant(admin.tenantId, async (tx) => {
    const agent = await tx
      .selectFrom('agents')
      .select('site_id')
      .where('id', '=', agentId)
      .forUpdate()
      .executeTakeFirst();
    if (!agent || !admin.mayManage(agent.site_id)) throw notFound('agent');
    await tx
      .updateTable('agents')
      .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', sql<Date>`now()`), connected: false }))
      .where('id', '=', agentId)
      .execute();
    await recordAudit(tx, {
      actorType: 'user',
      actorId: admin.userId,
      action: 'agent.revoked',
      targetType: 'agent',
      targetId: agentId,
      outcome: 'success',
      ip: admin.ip,
    });
    await emit(tx, 'agent.revoked', agent.site_id, { agentId });
  });
  deps.hub.disconnect(agentId);
  void deps.events.wake();
}
