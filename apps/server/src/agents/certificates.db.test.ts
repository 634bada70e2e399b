import { X509Certificate } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../../test/actors';
import { type Bundle, TestAgent } from '../../test/agent-client';
import { testClock } from '../../test/clock';
import { testBackend } from '../../test/db';
import { startTestServer, type TestServer } from '../../test/http';
import { errorOf, jsonOf } from '../../test/json';
import { type ActorName, seedTwoSites, type TwoSites } from '../../test/two-sites';
import type { DomainEvent } from '../events/outbox';
import { warnExpiringCertificates } from './certificates';
import { startDirectAgentListener } from './listener';

const DAY_MS = 24 * 3600_000;
// Certificates of 45 days: outside the 30-day warning when issued, inside it 16 days later.
const CERT_DAYS = 45;
const clock = testClock();
let s: TestServer;
let w: TwoSites;
let direct: Awaited<ReturnType<typeof startDirectAgentListener>>;
let directUrl: string;
const agents: TestAgent[] = [];
const delivered: DomainEvent[] = [];

interface Registered {
  agent: { id: string; siteId: string; name: string };
  bundle: Bundle;
  env: Record<string, string | null>;
}
interface AgentRow {
  id: string;
  connected: boolean;
  certificateExpires: string;
  certificateExpiring: boolean;
  pendingCertificateExpires: string | null;
}

beforeAll(async () => {
  s = await startTestServer({
    now: clock.now,
    trustedProxy: ['127.0.0.1', '::1'],
    config: { AGENT_CERT_DAYS: CERT_DAYS },
  });
  w = await seedTwoSites(s);
  s.ctx.events.subscribe((event) => delivered.push(event));
  direct = await startDirectAgentListener(s.ctx, { port: 0, host: '127.0.0.1', hostnames: ['localhost', '127.0.0.1'] });
  directUrl = `wss://localhost:${(direct.server.address() as { port: number }).port}/agent/ws`;
});
afterAll(async () => {
  for (const agent of agents) agent.close();
  direct?.server.close();
  await s?.stop();
});

// Tokens are minted on the test clock, so a test that moves the clock mints them again.
const as = async (name: ActorName) =>
  api(s, await s.ctx.tokens.signAccessToken({ userId: w.userIds[name], tenantId: w.tenantId, roles: w.rolesOf(name) }));

// Site 2: site 1's fixture vouchers are sealed with another server's key, so an agent there could not reconcile.
async function register(siteId = w.s2): Promise<Registered> {
  const res = await (await as('tenantAdmin')).post('/agents', { siteId, name: 'Lobby agent' });
  expect(res.status).toBe(201);
  return jsonOf<Registered>(res);
}

async function listed(id: string): Promise<AgentRow> {
  const list = await jsonOf<AgentRow[]>(await (await as('tenantAdmin')).get('/agents'));
  return list.find((agent) => agent.id === id)!;
}

function connect(bundle: Bundle, via: 'direct' | 'proxy' = 'direct') {
  const agent =
    via === 'direct'
      ? TestAgent.direct(directUrl, { ...bundle, ca: s.ctx.ca.certPem })
      : TestAgent.proxied(`${s.url.replace('http', 'ws')}/agent/ws`, bundle.cert);
  agents.push(agent);
  return agent;
}

async function online(bundle: Bundle, via: 'direct' | 'proxy' = 'direct') {
  const agent = connect(bundle, via);
  await agent.opened;
  agent.sendStatus();
  await agent.next('vouchers.reconcile');
  return agent;
}

async function auditActions(agentId: string) {
  const rows = await s.db.withTenant(w.tenantId, (tx) =>
    tx.selectFrom('audit_events').select('action').where('target_id', '=', agentId).orderBy('id').execute(),
  );
  return rows.map((row) => row.action);
}

async function expiringEvents(agentId: string) {
  return s.db.withTenant(w.tenantId, (tx) =>
    tx
      .selectFrom('events')
      .select(['site_id', 'payload'])
      .where('type', '=', 'agent.certificate_expiring')
      .where(sql<string>`payload->>'agentId'`, '=', agentId)
      .execute(),
  );
}

/** Moves the test clock for the duration of `body` (TLS checks validity on the real clock, so tests put it back). */
async function daysLater<T>(days: number, body: () => Promise<T>): Promise<T> {
  clock.advance(days * DAY_MS);
  try {
    return await body();
  } finally {
    clock.advance(-days * DAY_MS);
  }
}

describe(`agent certificate expiry and renewal on ${testBackend()}`, () => {
  it('lists each certificate expiry and flags it from 30 days before', async () => {
    const reg = await register();
    const issued = clock.now().getTime();
    const row = await listed(reg.agent.id);
    expect(Math.abs(new Date(row.certificateExpires).getTime() - (issued + CERT_DAYS * DAY_MS))).toBeLessThan(60_000);
    expect(new Date(row.certificateExpires).getTime()).toBe(
      new Date(new X509Certificate(reg.bundle.cert).validTo).getTime(),
    );
    expect(row).toMatchObject({ certificateExpiring: false, pendingCertificateExpires: null });
    expect((await daysLater(14, () => listed(reg.agent.id))).certificateExpiring).toBe(false);
    expect((await daysLater(16, () => listed(reg.agent.id))).certificateExpiring).toBe(true);
    await (await as('tenantAdmin')).delete(`/agents/${reg.agent.id}`);
    expect((await daysLater(16, () => listed(reg.agent.id))).certificateExpiring).toBe(false);
  });

  it('emits agent.certificate_expiring through the outbox once per agent per day, ids only', async () => {
    const reg = await register();
    const revoked = await register();
    await (await as('tenantAdmin')).delete(`/agents/${revoked.agent.id}`);
    expect(await warnExpiringCertificates(s.ctx, w.tenantId)).toBe(0);
    await daysLater(16, async () => {
      // Two replicas' jobs on the same day: one event between them.
      await Promise.all([warnExpiringCertificates(s.ctx, w.tenantId), warnExpiringCertificates(s.ctx, w.tenantId)]);
      await warnExpiringCertificates(s.ctx, w.tenantId);
    });
    expect(await expiringEvents(reg.agent.id)).toEqual([{ site_id: w.s2, payload: { agentId: reg.agent.id } }]);
    await daysLater(17, () => warnExpiringCertificates(s.ctx, w.tenantId));
    expect(await expiringEvents(reg.agent.id)).toHaveLength(2);
    expect(await expiringEvents(revoked.agent.id)).toHaveLength(0);
    // Once expired it is no longer "expiring": the card shows the date, and the agent is refused.
    await daysLater(CERT_DAYS + 1, () => warnExpiringCertificates(s.ctx, w.tenantId));
    expect(await expiringEvents(reg.agent.id)).toHaveLength(2);
    await s.ctx.events.wake();
    expect(
      delivered.filter(
        (e) => e.type === 'agent.certificate_expiring' && (e.payload as { agentId: string }).agentId === reg.agent.id,
      ),
    ).toHaveLength(2);
    await (await as('tenantAdmin')).delete(`/agents/${reg.agent.id}`);
  });

  it('renews: a new bundle, shown once; the old certificate works until the new one connects, then is refused', async () => {
    const reg = await register();
    const old = await online(reg.bundle);

    const res = await (await as('tenantAdmin')).post(`/agents/${reg.agent.id}/certificate`);
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const renewed = await jsonOf<Registered>(res);
    expect(renewed.agent).toEqual(reg.agent);
    expect(renewed.env).toEqual(reg.env);
    expect(renewed.bundle.ca).toBe(s.ctx.ca.certPem);
    expect(renewed.bundle.key).toContain('BEGIN PRIVATE KEY');
    const [oldCert, newCert] = [new X509Certificate(reg.bundle.cert), new X509Certificate(renewed.bundle.cert)];
    expect(newCert.serialNumber).not.toBe(oldCert.serialNumber);
    expect(newCert.subjectAltName).toBe(oldCert.subjectAltName);
    expect(renewed.bundle.key).not.toBe(reg.bundle.key);
    expect((await listed(reg.agent.id)).pendingCertificateExpires).toBe(new Date(newCert.validTo).toISOString());

    // Until the new certificate has connected, the old one still does (the live link stays, and it can reconnect).
    expect(old.ws.readyState).toBe(old.ws.OPEN);
    old.close();
    await old.closed;
    const oldAgain = await online(reg.bundle);

    const fresh = await online(renewed.bundle);
    expect((await oldAgain.closed).code).toBe(4000);
    expect((await connect(reg.bundle).closed).code).toBe(4003);
    expect((await connect(reg.bundle, 'proxy').closed).code).toBe(4003);
    const row = await listed(reg.agent.id);
    expect(row).toMatchObject({
      connected: true,
      certificateExpires: new Date(newCert.validTo).toISOString(),
      pendingCertificateExpires: null,
    });
    fresh.close();
    await fresh.closed;
    (await online(renewed.bundle, 'proxy')).close();
    expect(await auditActions(reg.agent.id)).toEqual([
      'agent.registered',
      'agent.certificate_issued',
      'agent.certificate_renewed',
    ]);
    await (await as('tenantAdmin')).delete(`/agents/${reg.agent.id}`);
  });

  it('a link on the old certificate at another replica gives way when the renewed one connects', async () => {
    const replica = await startTestServer({ replicaOf: s, now: clock.now, trustedProxy: ['127.0.0.1', '::1'] });
    try {
      const reg = await register();
      const old = TestAgent.proxied(`${replica.url.replace('http', 'ws')}/agent/ws`, reg.bundle.cert);
      agents.push(old);
      await old.opened;
      old.sendStatus();
      await old.next('vouchers.reconcile');
      const renewed = await jsonOf<Registered>(
        await (await as('tenantAdmin')).post(`/agents/${reg.agent.id}/certificate`),
      );
      const fresh = await online(renewed.bundle, 'proxy');
      expect((await old.closed).code).toBe(4000);
      // The old link leaving does not mark the agent disconnected: the renewed one is live.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await listed(reg.agent.id)).connected).toBe(true);
      fresh.close();
      await fresh.closed;
      await (await as('tenantAdmin')).delete(`/agents/${reg.agent.id}`);
    } finally {
      await replica.stop();
    }
  });

  it('a second renewal replaces a pending certificate that never connected', async () => {
    const reg = await register();
    const first = await jsonOf<Registered>(await (await as('tenantAdmin')).post(`/agents/${reg.agent.id}/certificate`));
    const second = await jsonOf<Registered>(
      await (await as('tenantAdmin')).post(`/agents/${reg.agent.id}/certificate`),
    );
    expect((await connect(first.bundle).closed).code).toBe(4003);
    (await online(reg.bundle)).close();
    (await online(second.bundle)).close();
    expect((await connect(reg.bundle).closed).code).toBe(4003);
    await (await as('tenantAdmin')).delete(`/agents/${reg.agent.id}`);
  });

  it('a revoked agent cannot renew (409), and nothing is issued', async () => {
    const reg = await register();
    await (await as('tenantAdmin')).delete(`/agents/${reg.agent.id}`);
    const res = await (await as('tenantAdmin')).post(`/agents/${reg.agent.id}/certificate`);
    expect([res.status, (await errorOf(res)).code]).toEqual([409, 'agent_revoked']);
    expect((await listed(reg.agent.id)).pendingCertificateExpires).toBeNull();
    expect(await auditActions(reg.agent.id)).toEqual(['agent.registered', 'agent.revoked']);
  });

  it("only admins of the agent's site renew: another site's admin gets 404, staff 403", async () => {
    const onS2 = await register(w.s2);
    const cases: Array<[ActorName, number]> = [
      ['adminS1', 404],
      ['memberS2', 403],
      ['receptionistS1', 403],
      ['memberS1AdminS2', 201],
      ['adminS1S2', 201],
    ];
    for (const [actor, status] of cases) {
      const res = await (await as(actor)).post(`/agents/${onS2.agent.id}/certificate`);
      expect([actor, res.status]).toEqual([actor, status]);
    }
    expect(
      (await (await as('adminS1')).post(`/agents/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/certificate`))
        .status,
    ).toBe(404);
    expect((await (await as('tenantAdmin')).post('/agents/not-an-id/certificate')).status).toBe(400);
    expect((await api(s).post(`/agents/${onS2.agent.id}/certificate`)).status).toBe(401);
    await (await as('tenantAdmin')).delete(`/agents/${onS2.agent.id}`);
  });
});
