import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../test/db';
import { type VisitOffice, visitOffice } from '../../test/visit-office';
import { checkInByStaff } from './check-in';
import { findVisit, listVisits, onSite, recordVisitorViewed } from './views';

let o: VisitOffice;
beforeAll(async () => {
  o = await visitOffice('views');
});
afterAll(() => o?.s.stop());

describe(`what staff see of visits on ${testBackend()}`, () => {
  it('finds and lists visits by name; a stranger to the site sees only the visits they host', async () => {
    const visit = await o.visit({ name: 'Katherine Johnson' });
    expect(await findVisit(o.s.db, o.tenantId, visit.id)).toMatchObject({ id: visit.id, status: 'expected' });
    expect(await findVisit(o.s.db, o.tenantId, randomUUID())).toBeUndefined();
    const staffView = await listVisits(o.s.db, o.tenantId, {
      staffSiteIds: null,
      hostUserId: randomUUID(),
      q: 'katherine',
      limit: 10,
    });
    expect(staffView.map((v) => v.id)).toEqual([visit.id]);
    const stranger = await listVisits(o.s.db, o.tenantId, { staffSiteIds: [], hostUserId: randomUUID(), limit: 10 });
    expect(stranger).toEqual([]);
    const host = await listVisits(o.s.db, o.tenantId, { staffSiteIds: [], hostUserId: o.staff.id!, limit: 100 });
    expect(host.map((v) => v.id)).toContain(visit.id);
  });

  it("lists who is on site, and nothing for a site the tenant doesn't have", async () => {
    const visit = await o.visit({ name: 'Dorothy Vaughan' });
    await checkInByStaff(o.s.ctx, o.tenantId, o.staff, visit, undefined);
    const list = await onSite(o.s.db, o.tenantId, o.siteId);
    expect(list?.find((entry) => entry.visitId === visit.id)).toMatchObject({
      name: 'Dorothy Vaughan',
      offline: false,
    });
    expect(await onSite(o.s.db, o.tenantId, randomUUID())).toBeUndefined();
  });

  it("opening a visit is audited against its visitor, from the viewer's address", async () => {
    const visit = await o.visit();
    await recordVisitorViewed(o.s.db, o.tenantId, o.staff, visit);
    const rows = await o.inTenant((tx) =>
      tx
        .selectFrom('audit_events')
        .select((eb) => ['actor_id', eb.fn<string>('host', ['ip']).as('ip'), 'target_id'])
        .where('action', '=', 'visitor.viewed')
        .execute(),
    );
    expect(rows).toEqual([{ actor_id: o.staff.id, ip: o.staff.ip, target_id: visit.visitorId }]);
  });
});
