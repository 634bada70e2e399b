import { randomUUID } from 'node:crypto';
import type { CreatedVisit } from '@atrium/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, api, pairKiosk, scan, signInAdmin } from '../../test/actors';
import { type Bundle, TestAgent } from '../../test/agent-client';
import { testClock } from '../../test/clock';
import { testBackend } from '../../test/db';
import { startTestServer, type TestServer } from '../../test/http';
import { errorOf, jsonOf } from '../../test/json';
import { bootstrap } from '../bootstrap';
import { startDirectAgentListener } from './listener';

const EMAIL = 'agents@example.com';
const clock = testClock();
let s: TestServer;
let direct: Awaited<ReturnType<typeof startDirectAgentListener>>;
let directUrl: string;
let tenantId: string;
let siteId: string;
let annexId: string;
let kiosk: { token: string };
const agents: TestAgent[] = [];
let cachedAdmin: { token: string; at: number } | undefined;
// One sign-in per 10 minutes of test clock: signing in for every call would trip the sign-in rate limit.
const admin = async () => {
  if (!cachedAdmin || clock.now().getTime() - cachedAdmin.at > 600_000) {
    cachedAdmin = { token: (await signInAdmin(s, EMAIL)).accessToken, at: clock.now().getTime() };
  }
  return cachedAdmin.token;
};

beforeAll(async () => {
  s = await startTestServer({ now: clock.now, trustedProxy: ['127.0.0.1', '::1'] });
  const boot = await bootstrap(s.db, { ATRIUM_ADMIN_EMAIL: EMAIL, ATRIUM_ADMIN_PASSWORD: ADMIN_PASSWORD });
  if (!boot.created) throw new Error('no tenant');
  tenantId = boot.tenantId;
  siteId = boot.siteId;
  annexId = (await jsonOf<{ id: string }>(await api(s, await admin()).post('/sites', { name: 'Annex' }))).id;
  kiosk = await pairKiosk(s, await admin(), siteId, clock.advance);
  direct = await startDirectAgentListener(s.ctx, { port: 0, host: '127.0.0.1', hostnames: ['localhost', '127.0.0.1'] });
  directUrl = `wss://localhost:${(direct.server.address() as { port: number }).port}/agent/ws`;
});
afterAll(async () => {
  for (const agent of agents) agent.close();
  direct?.server.close();
  await s?.stop();
});

async function register(site = siteId, name = 'Lobby agent') {
  const res = await api(s, await admin()).post('/agents', { siteId: site, name });
  expect(res.status).toBe(201);
  return jsonOf<{ agent: { id: string }; bundle: Bundle; env: Record<string, string> }>(res);
}

function connect(bundle: Partial<Bundle>, via: 'direct' | 'proxy' = 'direct') {
  const agent =
    via === 'direct'
      ? TestAgent.direct(directUrl, { ca: s.ctx.ca.certPem, ...bundle })
      : TestAgent.proxied(`${s.url.replace('http', 'ws')}/agent/ws`, bundle.cert ?? null);
  agents.push(agent);
  return agent;
}

async function visitAndCheckIn() {
  const token = await admin();
  const visit = await jsonOf<CreatedVisit>(
    await api(s, token).post('/visits', {
      siteId,
      visitor: { name: 'Radia Perlman' },
      expectedArrival: clock.now().toISOString(),
      expectedDeparture: new Date(clock.now().getTime() + 3600_000).toISOString(),
    }),
  );
  const res = await api(s, kiosk.token).post('/kiosk/check-ins', scan(visit.qrToken, clock.now()));
  expect(res.status).toBe(201);
  return { visit, ticket: await jsonOf<{ voucher: { username: string; password: string } }>(res) };
}

async function activeVouchers() {
  return s.db.withTenant(tenantId, (tx) =>
    tx
      .selectFrom('vouchers')
      .select(['id', 'version'])
      .where('site_id', '=', siteId)
      .where('status', '=', 'active')
      .orderBy('id')
      .execute(),
  );
}

describe(`agent hub on ${testBackend()}`, () => {
  it('registers an agent: a one-time bundle with the seed env vars', async () => {
    const reg = await register();
    expect(reg.bundle.cert).toContain('BEGIN CERTIFICATE');
    expect(reg.bundle.key).toContain('BEGIN PRIVATE KEY');
    expect(reg.bundle.ca).toBe(s.ctx.ca.certPem);
    expect(reg.env).toEqual({
      // This test server has neither an https PUBLIC_URL nor AGENT_TLS_PORT: no URL would answer, so none is given.
      ATRIUM_SERVER_URL: null,
      ATRIUM_TENANT_ID: tenantId,
      ATRIUM_SITE_ID: siteId,
    });
    const [row] = await s.db.withTenant(tenantId, (tx) =>
      tx.selectFrom('agents').selectAll().where('id', '=', reg.agent.id).execute(),
    );
    expect(JSON.stringify(row)).not.toContain('PRIVATE KEY');
    await api(s, await admin()).delete(`/agents/${reg.agent.id}`);
  });

  it('reconciles after agent.status, then streams upserts and revokes; status shows in the dashboard', async () => {
    const { visit: earlier } = await visitAndCheckIn();
    const reg = await register();
    const agent = connect(reg.bundle);
    await agent.opened;
    agent.sendStatus();
    const reconcile = await agent.next('vouchers.reconcile');
    expect(reconcile.vouchers.map((v) => v.id).sort()).toEqual((await activeVouchers()).map((v) => v.id));
    expect(reconcile.vouchers.length).toBeGreaterThan(0);
    await agent.next('ack');

    const { visit, ticket } = await visitAndCheckIn();
    const upsert = await agent.next('voucher.upsert', (m) => m.voucher.username === ticket.voucher.username);
    expect(upsert.voucher).toMatchObject({
      username: ticket.voucher.username,
      password: ticket.voucher.password,
      version: 1,
    });

    expect((await api(s, kiosk.token).post('/kiosk/check-outs', scan(visit.qrToken, clock.now()))).status).toBe(200);
    const revoke = await agent.next('voucher.revoke', (m) => m.voucherId === upsert.voucher.id);
    expect(revoke).toMatchObject({ disconnect: true, version: 2 });

    const list = await jsonOf<Array<{ id: string; connected: boolean; lastStatus: { uptimeSeconds: number } }>>(
      await api(s, await admin()).get('/agents'),
    );
    expect(list.find((a) => a.id === reg.agent.id)).toMatchObject({
      connected: true,
      lastStatus: { uptimeSeconds: 5 },
    });
    void earlier;
    agent.close();
    await agent.closed;
    await api(s, await admin()).delete(`/agents/${reg.agent.id}`);
  });

  it('an agent that takes parts gets the set as parts of one set id, the last one marked', async () => {
    await visitAndCheckIn();
    const reg = await register();
    const agent = connect(reg.bundle);
    await agent.opened;
    const status = { uptimeSeconds: 1, activeSessions: 0, vouchers: 0, rssBytes: 1, cpuSeconds: 0 };
    agent.send({
      ...{
        v: 1,
        id: randomUUID(),
        type: 'agent.status',
        agentVersion: 'test',
        ...status,
        features: ['reconcile.parts'],
      },
      radius: { requests: 0, accepts: 0, rejects: 0, duplicates: 0, malformed: 0, dropped: 0, accounting: 0 },
      buffer: { length: 0, dropped: 0 },
    });
    const reconcile = await agent.next('vouchers.reconcile');
    expect(reconcile.part).toEqual({ set: expect.any(String), index: 0, last: true, total: reconcile.vouchers.length });
    expect(reconcile.vouchers.map((v) => v.id).sort()).toEqual((await activeVouchers()).map((v) => v.id));
    const list = await jsonOf<Array<{ id: string; lastStatus: object }>>(await api(s, await admin()).get('/agents'));
    expect(list.find((a) => a.id === reg.agent.id)?.lastStatus).not.toHaveProperty('features');
    agent.close();
    await agent.closed;
    await api(s, await admin()).delete(`/agents/${reg.agent.id}`);
  });

  it('after a disconnection during which vouchers changed, the reconcile equals the server set exactly', async () => {
    const reg = await register();
    const first = connect(reg.bundle);
    await first.opened;
    first.sendStatus();
    await first.next('vouchers.reconcile');
    first.close();
    await first.closed;
    const { visit } = await visitAndCheckIn();
    await visitAndCheckIn();
    await api(s, await admin()).post(`/visits/${visit.id}/check-out`, {});
    const second = connect(reg.bundle);
    await second.opened;
    second.sendStatus();
    const reconcile = await second.next('vouchers.reconcile');
    expect(reconcile.vouchers.map((v) => [v.id, v.version]).sort()).toEqual(
      (await activeVouchers()).map((v) => [v.id, v.version]).sort(),
    );
    second.close();
    await api(s, await admin()).delete(`/agents/${reg.agent.id}`);
  });

  it('answers malformed frames with an error and keeps going; agent.status must come first', async () => {
    const reg = await register();
    const agent = connect(reg.bundle);
    await agent.opened;
    agent.send({ v: 1, id: 'x1', type: 'radius.auth' });
    expect(await agent.next('error', (m) => m.ref === 'x1')).toMatchObject({ code: 'invalid_message' });
    for (const junk of [
      'not json',
      '{}',
      '[]',
      JSON.stringify({ v: 2, id: 'a', type: 'agent.status' }),
      'x'.repeat(10_000),
    ])
      agent.send(junk);
    agent.sendStatus();
    await agent.next('vouchers.reconcile');
    expect(agent.messages.filter((m) => m.type === 'error').length).toBeGreaterThanOrEqual(6);
    expect(s.ctx.hub.stats().invalidMessages).toBeGreaterThanOrEqual(6);
    agent.send({
      v: 1,
      id: 'r1',
      type: 'radius.acct',
      at: new Date().toISOString(),
      status: 'start',
      voucherId: null,
      acctSessionId: 'S1',
      nasIp: '10.0.0.1',
      nasIdentifier: 'ap1',
      callingStationId: 'AA-BB-CC-00-11-22',
      framedIp: null,
      sessionTime: 0,
      inputOctets: 0,
      outputOctets: 0,
      terminateCause: null,
    });
    await agent.next('ack', (m) => m.ackId === 'r1');
    agent.close();
    await api(s, await admin()).delete(`/agents/${reg.agent.id}`);
  });

  it('one agent per site: the same agent replaces its connection, another one is refused', async () => {
    const reg = await register();
    const other = await register(siteId, 'Second agent');
    const first = connect(reg.bundle);
    await first.opened;
    first.sendStatus();
    await first.next('vouchers.reconcile');
    const intruder = connect(other.bundle);
    expect((await intruder.closed).code).toBe(4009);
    const again = connect(reg.bundle);
    await again.opened;
    expect((await first.closed).code).toBe(4000);
    again.close();
    await api(s, await admin()).delete(`/agents/${reg.agent.id}`);
    await api(s, await admin()).delete(`/agents/${other.agent.id}`);
  });

  it('revoking closes the live connection within a second; the certificate is refused after', async () => {
    const reg = await register();
    const agent = connect(reg.bundle);
    await agent.opened;
    agent.sendStatus();
    await agent.next('vouchers.reconcile');
    const started = Date.now();
    expect((await api(s, await admin()).delete(`/agents/${reg.agent.id}`)).status).toBe(204);
    expect((await agent.closed).code).toBe(4004);
    expect(Date.now() - started).toBeLessThan(1000);
    const later = connect(reg.bundle);
    expect((await later.closed).code).toBe(4003);
  });

  it('refuses wrong CA, expired, not-yet-valid, unregistered other tenant, site mismatch, and no certificate', async () => {
    const { CertificateAuthority, createCa } = await import('./ca');
    const foreignCa = await CertificateAuthority.load(await createCa());
    const foreign = await foreignCa.issueAgentCert({ tenantId, siteId, agentId: randomUUID() });
    const expired = await s.ctx.ca.issueAgentCert({
      tenantId,
      siteId,
      agentId: randomUUID(),
      now: new Date(Date.now() - 5 * 86400_000),
      days: 1,
    });
    const early = await s.ctx.ca.issueAgentCert({
      tenantId,
      siteId,
      agentId: randomUUID(),
      now: new Date(Date.now() + 5 * 86400_000),
    });
    for (const cert of [foreign, expired, early]) {
      const agent = connect({ cert: cert.certPem, key: cert.keyPem });
      await expect(agent.opened).rejects.toThrow();
    }
    await expect(connect({}).opened).rejects.toThrow();
    // Valid signatures, but no registration behind them: another tenant, or a registered serial presented for another site.
    const otherTenant = await s.ctx.ca.issueAgentCert({ tenantId: randomUUID(), siteId, agentId: randomUUID() });
    expect((await connect({ cert: otherTenant.certPem, key: otherTenant.keyPem }).closed).code).toBe(4003);
    const reg = await register();
    const [row] = await s.db.withTenant(tenantId, (tx) =>
      tx.selectFrom('agents').select('cert_serial').where('id', '=', reg.agent.id).execute(),
    );
    await s.db.withTenant(tenantId, (tx) =>
      tx.updateTable('agents').set({ site_id: annexId }).where('id', '=', reg.agent.id).execute(),
    );
    expect(row!.cert_serial).toHaveLength(32);
    expect((await connect(reg.bundle).closed).code).toBe(4003);
  });

  it('through the proxy: the forwarded certificate works from a trusted address; a forged header elsewhere does not', async () => {
    const reg = await register();
    const viaProxy = connect(reg.bundle, 'proxy');
    await viaProxy.opened;
    viaProxy.sendStatus();
    await viaProxy.next('vouchers.reconcile');
    viaProxy.close();
    await viaProxy.closed;
    const noCert = connect({}, 'proxy');
    await expect(noCert.opened).rejects.toThrow(/401/);
    const bogus = TestAgent.proxied(`${s.url.replace('http', 'ws')}/agent/ws`, null, { 'X-Client-Cert': 'Zm9yZ2Vk' });
    agents.push(bogus);
    await expect(bogus.opened).rejects.toThrow(/401/);

    const untrusting = await startTestServer();
    try {
      await bootstrap(untrusting.db, { ATRIUM_ADMIN_EMAIL: 'x@example.com', ATRIUM_ADMIN_PASSWORD: ADMIN_PASSWORD });
      const forged = TestAgent.proxied(`${untrusting.url.replace('http', 'ws')}/agent/ws`, reg.bundle.cert);
      await expect(forged.opened).rejects.toThrow(/403/);
    } finally {
      await untrusting.stop();
    }
    // User tokens never open the endpoint.
    const withToken = TestAgent.proxied(`${s.url.replace('http', 'ws')}/agent/ws`, null, {
      Authorization: `Bearer ${await admin()}`,
    });
    await expect(withToken.opened).rejects.toThrow(/401/);
    const plain = await fetch(`${s.url}/agent/ws`);
    expect([plain.status, (await errorOf(plain)).code]).toEqual([426, 'upgrade_required']);
    await api(s, await admin()).delete(`/agents/${reg.agent.id}`);
  });
});
