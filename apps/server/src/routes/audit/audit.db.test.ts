import type { AuditEventView } from '@atrium/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../../../test/actors';
import { testBackend } from '../../../test/db';
import { startTestServer, type TestServer } from '../../../test/http';
import { errorOf, jsonOf } from '../../../test/json';
import { seedTwoSites, type TwoSites } from '../../../test/two-sites';

type Page = { items: AuditEventView[]; nextCursor: number | null };
let s: TestServer;
let w: TwoSites;
beforeAll(async () => {
  s = await startTestServer();
  w = await seedTwoSites(s);
  // Three audited actions by the tenant admin: registering and revoking an agent, registering another.
  const admin = api(s, w.tokens.tenantAdmin);
  const first = await jsonOf<{ agent: { id: string } }>(await admin.post('/agents', { siteId: w.s1, name: 'AP 1' }));
  await admin.delete(`/agents/${first.agent.id}`);
  await admin.post('/agents', { siteId: w.s2, name: 'AP 2' });
});
afterAll(() => s?.stop());

describe(`GET /audit on ${testBackend()}`, () => {
  it('lists the tenant’s events newest first, with their fields', async () => {
    const page = await jsonOf<Page>(await api(s, w.tokens.tenantAdmin).get('/audit'));
    expect(page.nextCursor).toBeNull();
    // The seeded tenant's own history (tenant.created, a visit) comes after these three.
    expect(page.items.slice(0, 3).map((e) => e.action)).toEqual([
      'agent.registered',
      'agent.revoked',
      'agent.registered',
    ]);
    const ids = page.items.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(page.items[0]).toMatchObject({
      actorType: 'user',
      actorId: w.userIds.tenantAdmin,
      targetType: 'agent',
      outcome: 'success',
      ip: expect.any(String),
      details: { siteId: w.s2, serial: expect.any(String) },
    });
    expect(Number.isNaN(Date.parse(page.items[0]!.occurredAt))).toBe(false);
  });

  it('filters by action (and its prefix) and pages with before/limit', async () => {
    const admin = api(s, w.tokens.tenantAdmin);
    const revoked = await jsonOf<Page>(await admin.get('/audit?action=agent.revoked'));
    expect(revoked.items.map((e) => e.action)).toEqual(['agent.revoked']);
    const prefix = await jsonOf<Page>(await admin.get('/audit?action=agent'));
    expect(prefix.items).toHaveLength(3);
    const first = await jsonOf<Page>(await admin.get('/audit?action=agent&limit=2'));
    expect(first.items).toEqual(prefix.items.slice(0, 2));
    expect(first.nextCursor).toBe(first.items[1]!.id);
    const rest = await jsonOf<Page>(await admin.get(`/audit?action=agent&limit=2&before=${first.nextCursor}`));
    expect(rest).toEqual({ items: [prefix.items[2]], nextCursor: null });
    const none = await jsonOf<Page>(await admin.get('/audit?outcome=denied'));
    expect(none).toEqual({ items: [], nextCursor: null });
  });

  it('refuses bad queries with 400 naming the field', async () => {
    const admin = api(s, w.tokens.tenantAdmin);
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['outcome=maybe', 'outcome'],
      ['actorId=not-a-uuid', 'actorId'],
      ['before=-1', 'before'],
    ]) {
      const res = await admin.get(`/audit?${query}`);
      expect([query, res.status, (await errorOf(res)).details?.field]).toEqual([query, 400, field]);
    }
  });

  it('is for tenant admins only', async () => {
    expect((await api(s).get('/audit')).status).toBe(401);
    for (const actor of ['adminS1', 'receptionistS1', 'memberS1'] as const) {
      const res = await api(s, w.tokens[actor]).get('/audit');
      expect([actor, res.status, (await errorOf(res)).code]).toEqual([actor, 403, 'forbidden']);
    }
  });
});
