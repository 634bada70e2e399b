import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../../../test/actors';
import { testBackend } from '../../../test/db';
import { startTestServer, type TestServer } from '../../../test/http';
import { errorOf, jsonOf } from '../../../test/json';
import { seedTwoSites, type TwoSites } from '../../../test/two-sites';

interface Registered {
  agent: { id: string; siteId: string; name: string };
  bundle: { cert: string; key: string; ca: string };
  env: { ATRIUM_SERVER_URL: string; ATRIUM_TENANT_ID: string; ATRIUM_SITE_ID: string };
}
interface Listed {
  id: string;
  siteId: string;
  name: string;
  connected: boolean;
  revoked: boolean;
  lastSeen: string | null;
  certificateExpires: string;
}

let s: TestServer;
let w: TwoSites;
beforeAll(async () => {
  s = await startTestServer({ config: { PUBLIC_URL: 'https://atrium.example.test' } });
  w = await seedTwoSites(s);
});
afterAll(() => s?.stop());

describe(`agents on ${testBackend()}`, () => {
  it('registers an agent once: its certificate bundle and environment, never cached', async () => {
    const res = await api(s, w.tokens.tenantAdmin).post('/agents', { siteId: w.s1, name: 'Lobby AP' });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await jsonOf<Registered>(res);
    expect(body.agent).toEqual({ id: expect.any(String), siteId: w.s1, name: 'Lobby AP' });
    expect(body.env).toEqual({
      ATRIUM_SERVER_URL: 'wss://atrium.example.test/agent/ws',
      ATRIUM_TENANT_ID: w.tenantId,
      ATRIUM_SITE_ID: w.s1,
    });
    const cert = new X509Certificate(body.bundle.cert);
    expect(cert.subjectAltName).toContain(`urn:atrium:tenant:${w.tenantId}:site:${w.s1}`);
    expect(cert.verify(new X509Certificate(body.bundle.ca).publicKey)).toBe(true);
    expect(body.bundle.key).toContain('PRIVATE KEY');

    const listed = await jsonOf<Listed[]>(await api(s, w.tokens.tenantAdmin).get('/agents'));
    expect(listed.find((a) => a.id === body.agent.id)).toMatchObject({
      siteId: w.s1,
      name: 'Lobby AP',
      connected: false,
      revoked: false,
      lastSeen: null,
      certificateExpires: expect.any(String),
    });
  });

  it('revokes an agent: 204, listed as revoked, and a second revoke is still 204', async () => {
    const admin = api(s, w.tokens.tenantAdmin);
    const { agent } = await jsonOf<Registered>(await admin.post('/agents', { siteId: w.s2, name: 'Annex AP' }));
    expect((await admin.delete(`/agents/${agent.id}`)).status).toBe(204);
    const listed = await jsonOf<Listed[]>(await admin.get('/agents'));
    expect(listed.find((a) => a.id === agent.id)).toMatchObject({ revoked: true, connected: false });
    expect((await admin.delete(`/agents/${agent.id}`)).status).toBe(204);
  });

  it('a site admin sees and manages only its own sites’ agents; others get 404', async () => {
    const admin = api(s, w.tokens.tenantAdmin);
    const onS2 = await jsonOf<Registered>(await admin.post('/agents', { siteId: w.s2, name: 'Other AP' }));
    const adminS1 = api(s, w.tokens.adminS1);
    const refused = await adminS1.post('/agents', { siteId: w.s2, name: 'Not mine' });
    expect([refused.status, (await errorOf(refused)).code]).toEqual([404, 'not_found']);
    const listed = await jsonOf<Listed[]>(await adminS1.get('/agents'));
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((a) => a.siteId === w.s1)).toBe(true);
    const revoke = await adminS1.delete(`/agents/${onS2.agent.id}`);
    expect([revoke.status, (await errorOf(revoke)).code]).toEqual([404, 'not_found']);
    const still = await jsonOf<Listed[]>(await admin.get('/agents'));
    expect(still.find((a) => a.id === onS2.agent.id)?.revoked).toBe(false);
  });

  it('answers 404 for an unknown agent or site, 400 for bad input, 403 for staff who are not admins', async () => {
    const admin = api(s, w.tokens.tenantAdmin);
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await admin.delete(`/agents/${unknown}`)).status).toBe(404);
    expect((await admin.post('/agents', { siteId: unknown, name: 'Nowhere' })).status).toBe(404);
    const badId = await admin.delete('/agents/not-an-id');
    expect(badId.status).toBe(400);
    const noName = await admin.post('/agents', { siteId: w.s1 });
    expect([noName.status, (await errorOf(noName)).details?.field]).toEqual([400, 'name']);
    expect((await api(s).get('/agents')).status).toBe(401);
    for (const actor of ['receptionistS1', 'memberS1'] as const) {
      expect((await api(s, w.tokens[actor]).get('/agents')).status).toBe(403);
      expect((await api(s, w.tokens[actor]).post('/agents', { siteId: w.s1, name: 'x' })).status).toBe(403);
    }
  });
});
