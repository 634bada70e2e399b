import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan } from '../../test/actors';
import { testBackend } from '../../test/db';
import { type VisitOffice, visitOffice } from '../../test/visit-office';
import { checkInScan } from './check-in';
import { checkOutByStaff, checkOutScan } from './check-out';
import { findVisit } from './views';

let o: VisitOffice;
beforeAll(async () => {
  o = await visitOffice('check-out');
});
afterAll(() => o?.s.stop());

describe(`the check-out service on ${testBackend()}`, () => {
  it('the same code checks the visitor out and revokes the WiFi at the agent; a retry answers the same', async () => {
    const visit = await o.visit();
    await checkInScan(o.s.ctx, o.kiosk, scan(visit.qrToken, o.clock.now()));
    const request = scan(visit.qrToken, o.clock.now());
    expect(await checkOutScan(o.s.ctx, o.kiosk, request)).toEqual({ visitId: visit.id });
    expect(await checkOutScan(o.s.ctx, o.kiosk, request)).toEqual({ visitId: visit.id });
    expect((await findVisit(o.s.db, o.tenantId, visit.id))?.status).toBe('checked_out');
    const voucher = await o.inTenant((tx) =>
      tx.selectFrom('vouchers').select('status').where('visit_id', '=', visit.id).executeTakeFirst(),
    );
    expect(voucher!.status).toBe('revoked');
    await o.s.ctx.events.wake();
    expect(o.eventsOf(visit.id)).toEqual(expect.arrayContaining(['visit.checked_out', 'voucher.revoked']));
    await expect(checkOutScan(o.s.ctx, o.kiosk, scan(visit.qrToken, o.clock.now()))).rejects.toMatchObject({
      status: 409,
      code: 'not_checked_in',
    });
  });

  it('staff check out by hand; a visitor who is not on site, or no visit at all, is refused', async () => {
    const visit = await o.visit();
    await expect(checkOutByStaff(o.s.ctx, o.tenantId, o.staff, visit.id, undefined)).rejects.toMatchObject({
      status: 409,
      code: 'not_checked_in',
    });
    await checkInScan(o.s.ctx, o.kiosk, scan(visit.qrToken, o.clock.now()));
    expect(await checkOutByStaff(o.s.ctx, o.tenantId, o.staff, visit.id, undefined)).toEqual({ visitId: visit.id });
    await expect(checkOutByStaff(o.s.ctx, o.tenantId, o.staff, randomUUID(), undefined)).rejects.toMatchObject({
      status: 404,
    });
    const audit = await o.inTenant((tx) =>
      tx
        .selectFrom('audit_events')
        .select(['actor_id', 'details'])
        .where('action', '=', 'visit.checked_out')
        .where('target_id', '=', visit.id)
        .$narrowType<{ details: { reason: string } }>()
        .executeTakeFirst(),
    );
    expect([audit!.actor_id, audit!.details.reason]).toEqual([o.staff.id, 'staff']);
  });
});
