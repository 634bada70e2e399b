import type { CreatedVisit } from '@atrium/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../../../test/actors';
import { testBackend } from '../../../test/db';
import { startTestServer, type TestServer } from '../../../test/http';
import { errorOf, jsonOf } from '../../../test/json';
import { seedTwoSites, type TwoSites } from '../../../test/two-sites';

let s: TestServer;
let w: TwoSites;
beforeAll(async () => {
  s = await startTestServer();
  w = await seedTwoSites(s);
});
afterAll(() => s?.stop());

async function visit(name: string, email?: string): Promise<CreatedVisit> {
  const now = Date.now();
  const res = await api(s, w.tokens.tenantAdmin).post('/visits', {
    siteId: w.s1,
    visitor: { name, ...(email ? { email } : {}) },
    expectedArrival: new Date(now).toISOString(),
    expectedDeparture: new Date(now + 3600_000).toISOString(),
  });
  if (res.status !== 201) throw new Error(`visit: ${res.status} ${await res.text()}`);
  return jsonOf<CreatedVisit>(res);
}

describe(`privacy routes on ${testBackend()}`, () => {
  it('exports a visitor’s data as a JSON attachment, then erases it; both are gone afterwards', async () => {
    const admin = api(s, w.tokens.tenantAdmin);
    const v = await visit('Erin Export', 'erin@example.test');
    const exported = await admin.get(`/visitors/${v.visitorId}/export`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toBe(`attachment; filename="visitor-${v.visitorId}.json"`);
    expect(JSON.stringify(await exported.json())).toContain('erin@example.test');

    const erased = await admin.delete(`/visitors/${v.visitorId}`);
    expect(erased.status).toBe(200);
    expect(await jsonOf(erased)).toEqual({ erased: true, visits: 1 });
    const after = await admin.get(`/visitors/${v.visitorId}/export`);
    expect([after.status, (await errorOf(after)).code]).toEqual([404, 'not_found']);
    expect((await admin.delete(`/visitors/${v.visitorId}`)).status).toBe(404);
  });

  it('lists the inventory of personal data with counts that follow the data', async () => {
    const admin = api(s, w.tokens.tenantAdmin);
    type Inventory = {
      generatedAt: string;
      categories: Array<{ category: string; records: number; withEmail?: number }>;
    };
    const before = await jsonOf<Inventory>(await admin.get('/privacy/inventory'));
    expect(before.categories.map((c) => c.category)).toEqual([
      'visitors',
      'visits',
      'wifi_vouchers',
      'wifi_sessions',
      'staff_accounts',
      'audit_log',
    ]);
    expect(Number.isNaN(Date.parse(before.generatedAt))).toBe(false);
    await visit('Ivy Inventory', 'ivy@example.test');
    const after = await jsonOf<Inventory>(await admin.get('/privacy/inventory'));
    const visitors = (i: Inventory) => i.categories.find((c) => c.category === 'visitors')!;
    expect(visitors(after).records).toBe(visitors(before).records + 1);
    expect(visitors(after).withEmail).toBe(visitors(before).withEmail! + 1);
  });

  it('answers 404 for an unknown visitor, 400 for a bad id, 403 for anyone but a tenant admin', async () => {
    const admin = api(s, w.tokens.tenantAdmin);
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect((await admin.get(`/visitors/${unknown}/export`)).status).toBe(404);
    expect((await admin.delete(`/visitors/${unknown}`)).status).toBe(404);
    const bad = await admin.get('/visitors/not-an-id/export');
    expect([bad.status, (await errorOf(bad)).code]).toEqual([400, 'invalid_input']);
    const v = await visit('Kept Visitor');
    for (const actor of ['adminS1', 'receptionistS1', 'memberS1'] as const) {
      const as = api(s, w.tokens[actor]);
      expect((await as.get('/privacy/inventory')).status).toBe(403);
      expect((await as.get(`/visitors/${v.visitorId}/export`)).status).toBe(403);
      expect((await as.delete(`/visitors/${v.visitorId}`)).status).toBe(403);
    }
    expect((await admin.get(`/visitors/${v.visitorId}/export`)).status).toBe(200);
  });
});
