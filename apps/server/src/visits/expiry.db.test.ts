import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../test/db';
import { type VisitOffice, visitOffice } from '../../test/visit-office';
import { checkInByStaff } from './check-in';
import { expireVisits } from './expiry';
import { findVisit } from './views';

let o: VisitOffice;
beforeAll(async () => {
  o = await visitOffice('expiry');
});
afterAll(() => o?.s.stop());

describe(`visit expiry on ${testBackend()}`, () => {
  it('expires visits past departure, revokes their vouchers and codes, and tells the agent; a second run finds none', async () => {
    const onSite = await o.visit({ hours: 1.5 });
    const expected = await o.visit({ name: 'Grace Hopper', hours: 1.5 });
    const later = await o.visit({ name: 'Later Guest', hours: 8 });
    await checkInByStaff(o.s.ctx, o.tenantId, o.staff, onSite, undefined);
    o.clock.advance(2 * 3600_000);

    expect(await expireVisits(o.s.ctx, o.tenantId)).toBeGreaterThanOrEqual(2);
    for (const visit of [onSite, expected]) {
      expect((await findVisit(o.s.db, o.tenantId, visit.id))?.status).toBe('expired');
    }
    expect((await findVisit(o.s.db, o.tenantId, later.id))?.status).toBe('expected');
    const voucher = await o.inTenant((tx) =>
      tx.selectFrom('vouchers').select('status').where('visit_id', '=', onSite.id).executeTakeFirst(),
    );
    expect(voucher!.status).toBe('expired');
    const codes = await o.inTenant((tx) =>
      tx
        .selectFrom('qr_tokens')
        .select((eb) => eb('revoked_at', 'is not', null).as('revoked'))
        .where('visit_id', '=', expected.id)
        .execute(),
    );
    expect(codes).toEqual([{ revoked: true }]);
    // Delivered by the time the job returns: the agent drops the WiFi access now, not at its next poll.
    expect(o.eventsOf(onSite.id)).toContain('voucher.revoked');
    expect(await expireVisits(o.s.ctx, o.tenantId)).toBe(0);
  });

  it('works through more visits than one batch', async () => {
    const visits = await Promise.all([1, 2, 3].map((n) => o.visit({ name: `Batch ${n}`, hours: 1 })));
    o.clock.advance(3600_000);
    expect(await expireVisits(o.s.ctx, o.tenantId, 2)).toBe(3);
    for (const visit of visits) expect((await findVisit(o.s.db, o.tenantId, visit.id))?.status).toBe('expired');
  });
});
