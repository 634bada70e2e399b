import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../../test/actors';
import { testBackend } from '../../test/db';
import { type VisitOffice, visitOffice } from '../../test/visit-office';
import { checkInByStaff, checkInScan } from './check-in';
import { cancelVisit } from './manage';

let o: VisitOffice;
beforeAll(async () => {
  o = await visitOffice('check-in');
});
afterAll(() => o?.s.stop());

const checkIns = async (visitId: string) =>
  (
    await o.inTenant((tx) =>
      tx
        .selectFrom('check_ins')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('visit_id', '=', visitId)
        .executeTakeFirstOrThrow(),
    )
  ).n;

describe(`the check-in service on ${testBackend()}`, () => {
  it("a kiosk's scan checks the visitor in with WiFi at the site; its retry answers the same, once", async () => {
    const visit = await o.visit({ name: 'Ada Lovelace' });
    const request = scan(visit.qrToken, o.clock.now());
    const first = await checkInScan(o.s.ctx, o.kiosk, request);
    expect(first).toMatchObject({
      status: 201,
      offline: false,
      body: { visitId: visit.id, displayName: 'Ada L.', voucher: { validUntil: visit.expectedDeparture } },
    });
    const retry = await checkInScan(o.s.ctx, o.kiosk, request);
    expect(retry).toEqual({ ...first, status: 200 });
    const vouchers = await o.inTenant((tx) =>
      tx.selectFrom('vouchers').select('id').where('visit_id', '=', visit.id).execute(),
    );
    expect(vouchers).toHaveLength(1);
    await o.s.ctx.events.wake();
    expect(o.eventsOf(visit.id)).toEqual(expect.arrayContaining(['visit.checked_in', 'voucher.upserted']));
    const audit = await o.inTenant((tx) =>
      tx
        .selectFrom('audit_events')
        .select((eb) => ['actor_id', eb.fn<string>('host', ['ip']).as('ip')])
        .where('action', '=', 'visit.checked_in')
        .where('target_id', '=', visit.id)
        .executeTakeFirst(),
    );
    expect(audit).toEqual({ actor_id: o.kiosk.kioskId, ip: o.kiosk.ip });
  });

  it('a scan queued offline for more than a minute is filed offline', async () => {
    const visit = await o.visit();
    const late = await checkInScan(
      o.s.ctx,
      o.kiosk,
      scan(visit.qrToken, new Date(o.clock.now().getTime() - 5 * 60_000)),
    );
    expect([late.status, late.offline]).toEqual([201, true]);
  });

  it('a refused check-in gives its key back, so nothing of it stays', async () => {
    const visit = await o.visit();
    await cancelVisit(o.s.ctx, o.tenantId, o.staff, visit.id);
    const key = randomUUID();
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(checkInByStaff(o.s.ctx, o.tenantId, o.staff, visit, key)).rejects.toMatchObject({
        status: 422,
        code: 'visit_cancelled',
      });
    }
    expect(await checkIns(visit.id)).toBe(0);
  });

  it('staff check in by hand once; a second attempt without the key is refused as already used', async () => {
    const visit = await o.visit();
    const key = randomUUID();
    const desk = await checkInByStaff(o.s.ctx, o.tenantId, o.staff, visit, key);
    expect(desk.status).toBe(201);
    expect(await checkInByStaff(o.s.ctx, o.tenantId, o.staff, visit, key)).toEqual({ ...desk, status: 200 });
    await expect(checkInByStaff(o.s.ctx, o.tenantId, o.staff, visit, undefined)).rejects.toMatchObject({
      status: 409,
      code: 'already_used',
    });
    const unknown = { id: randomUUID(), siteId: o.siteId };
    await expect(checkInByStaff(o.s.ctx, o.tenantId, o.staff, unknown, undefined)).rejects.toMatchObject({
      status: 404,
    });
  });
});
