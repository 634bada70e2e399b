import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freshDatabase, type TestDatabase, testBackend } from '../../test/db';
import { seedTenant } from '../../test/fixtures';
import { type DomainEvent, EventDispatcher } from '../events/outbox';
import { createSite } from '../tenancy/sites';
import { CertificateAuthority, createCa } from './ca';
import { renewAgentCertificate } from './certificates';
import { type AgentAdmin, type AgentIssuerDeps, listAgents, registerAgent, revokeAgent } from './registry';

let t: TestDatabase;
let deps: AgentIssuerDeps;
let events: EventDispatcher;
const delivered: DomainEvent[] = [];
const disconnected: string[] = [];
let tenantAdmin: AgentAdmin;
/** Administers only the annex, as a site admin would. */
let annexAdmin: AgentAdmin;
let lobby: string;
let annex: string;

beforeAll(async () => {
  t = await freshDatabase();
  const tenant = await seedTenant(t.db, 'registry');
  lobby = tenant.siteId;
  tenantAdmin = { tenantId: tenant.tenantId, userId: tenant.adminUserId, ip: '192.0.2.9', mayManage: () => true };
  annex = (await createSite(t.db, tenantAdmin, { name: 'Annex', timezone: 'UTC', wifiSsid: 'Guest' })).id;
  annexAdmin = { ...tenantAdmin, mayManage: (siteId) => siteId === annex };
  const ca = await CertificateAuthority.load(await createCa());
  deps = { db: t.db, ca, config: { AGENT_CERT_DAYS: 30 }, now: () => new Date() };
  // A poll far away: only the service's own wake-up delivers events within this test.
  events = new EventDispatcher(t.db, pino({ level: 'silent' }), 60_000);
  await events.start();
  events.subscribe((event) => delivered.push(event));
});
afterAll(async () => {
  await events?.stop();
  await t?.close();
});

const auditOf = (action: string) =>
  t.db.withTenant(tenantAdmin.tenantId, (tx) =>
    tx
      .selectFrom('audit_events')
      // inet as its bare address.
      .select(['target_id', sql<string>`host(ip)`.as('ip'), 'details'])
      .where('action', '=', action)
      .orderBy('id')
      .execute(),
  );

const notFoundError = { status: 404, code: 'not_found' };

describe(`the agent registry on ${testBackend()}`, () => {
  it('registers an agent with a certificate for its site, audited with the serial, the key never stored', async () => {
    const { agent, cert } = await registerAgent(deps, annexAdmin, { siteId: annex, name: 'Annex AP' });
    expect(agent).toEqual({ id: expect.any(String), siteId: annex, name: 'Annex AP' });
    expect(deps.ca.verifyAgentCert(cert.certPem)).toMatchObject({ ok: true, siteId: annex, serial: cert.serial });
    const [row] = await t.db.withTenant(tenantAdmin.tenantId, (tx) =>
      tx.selectFrom('agents').selectAll().where('id', '=', agent.id).execute(),
    );
    expect(row).toMatchObject({ cert_serial: cert.serial, not_after: cert.notAfter });
    expect(JSON.stringify(row)).not.toContain('PRIVATE KEY');
    expect((await auditOf('agent.registered')).at(-1)).toEqual({
      target_id: agent.id,
      ip: '192.0.2.9',
      details: { siteId: annex, serial: cert.serial },
    });
  });

  it('refuses a site the admin does not administer, or that does not exist, as not found, storing nothing', async () => {
    const before = (await listAgents(deps, tenantAdmin)).length;
    await expect(registerAgent(deps, annexAdmin, { siteId: lobby, name: 'Not mine' })).rejects.toMatchObject(
      notFoundError,
    );
    const nowhere = '00000000-0000-4000-8000-000000000000';
    await expect(registerAgent(deps, tenantAdmin, { siteId: nowhere, name: 'Nowhere' })).rejects.toMatchObject(
      notFoundError,
    );
    expect(await listAgents(deps, tenantAdmin)).toHaveLength(before);
  });

  it('lists only the agents of sites the admin administers, newest first, with certificate dates', async () => {
    const older = await registerAgent(deps, tenantAdmin, { siteId: annex, name: 'Older' });
    const newer = await registerAgent(deps, tenantAdmin, { siteId: annex, name: 'Newer' });
    const onLobby = await registerAgent(deps, tenantAdmin, { siteId: lobby, name: 'Lobby AP' });
    const mine = await listAgents(deps, annexAdmin);
    expect(mine.every((agent) => agent.siteId === annex)).toBe(true);
    const ids = mine.map((agent) => agent.id);
    expect(ids.indexOf(newer.agent.id)).toBeLessThan(ids.indexOf(older.agent.id));
    expect(ids).not.toContain(onLobby.agent.id);
    // Certificates of 30 days are inside the 30-day warning from the start.
    expect(mine.find((agent) => agent.id === newer.agent.id)).toMatchObject({
      connected: false,
      revoked: false,
      lastStatus: null,
      certificateExpires: newer.cert.notAfter.toISOString(),
      certificateExpiring: true,
      pendingCertificateExpires: null,
    });
  });

  it('revokes once, closes the link here and tells other replicas; again is fine, another site is not found', async () => {
    const { agent } = await registerAgent(deps, tenantAdmin, { siteId: annex, name: 'To revoke' });
    const live = { db: t.db, events, hub: { disconnect: (id: string) => disconnected.push(id) } };
    await expect(revokeAgent(live, { ...annexAdmin, mayManage: () => false }, agent.id)).rejects.toMatchObject(
      notFoundError,
    );
    expect(disconnected).not.toContain(agent.id);

    await revokeAgent(live, annexAdmin, agent.id);
    expect(disconnected).toContain(agent.id);
    const revoked = (e: DomainEvent) => e.type === 'agent.revoked' && e.siteId === annex;
    await vi.waitFor(() => expect(delivered.filter(revoked).map((e) => e.payload)).toEqual([{ agentId: agent.id }]));
    await revokeAgent(live, annexAdmin, agent.id);
    expect((await auditOf('agent.revoked')).filter((row) => row.target_id === agent.id)).toHaveLength(2);
    expect((await listAgents(deps, annexAdmin)).find((a) => a.id === agent.id)).toMatchObject({
      revoked: true,
      certificateExpiring: false,
    });
    await expect(renewAgentCertificate(deps, annexAdmin, agent.id)).rejects.toMatchObject({
      status: 409,
      code: 'agent_revoked',
    });
  });

  it('renews as pending: the current certificate stays until the new one connects', async () => {
    const { agent, cert } = await registerAgent(deps, tenantAdmin, { siteId: annex, name: 'Renewing' });
    await expect(
      renewAgentCertificate(deps, { ...annexAdmin, mayManage: () => false }, agent.id),
    ).rejects.toMatchObject(notFoundError);
    const renewed = await renewAgentCertificate(deps, annexAdmin, agent.id);
    expect(renewed.agent).toEqual(agent);
    expect(renewed.cert.serial).not.toBe(cert.serial);
    const listed = (await listAgents(deps, annexAdmin)).find((a) => a.id === agent.id);
    expect(listed).toMatchObject({
      certificateExpires: cert.notAfter.toISOString(),
      pendingCertificateExpires: renewed.cert.notAfter.toISOString(),
    });
    expect((await auditOf('agent.certificate_issued')).at(-1)).toMatchObject({ target_id: agent.id, ip: '192.0.2.9' });
  });
});
