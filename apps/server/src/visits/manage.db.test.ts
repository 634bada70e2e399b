import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../test/db';
import { type VisitOffice, visitOffice } from '../../test/visit-office';
import { checkInByStaff } from './check-in';
import { cancelVisit, updateVisit } from './manage';

let o: VisitOffice;
beforeAll(async () => {
  o = await visitOffice('manage');
});
afterAll(() => o?.s.stop());

/** The code's jti as stored (a UUID; the token carries its 16 bytes in base64url). */
const jtiOf = (token: string) => {
  const compact: string = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).jti;
  return Buffer.from(compact, 'base64url')
    .toString('hex')
    .replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
};
const actionsOn = async (visitId: string) =>
  (
    await o.inTenant((tx) =>
      tx.selectFrom('audit_events').select('action').where('target_id', '=', visitId).orderBy('id').execute(),
    )
  ).map((row) => row.action);

describe(`creating, changing and cancelling visits on ${testBackend()}`, () => {
  it('a new visit comes with its QR code, is audited and announced', async () => {
    const visit = await o.visit({ name: 'Ada Lovelace' });
    expect(visit).toMatchObject({ status: 'expected', siteId: o.siteId, visitor: { name: 'Ada Lovelace' } });
    expect(visit.qrToken.split('.')).toHaveLength(3);
    expect(await actionsOn(visit.id)).toEqual(['visit.created']);
    await o.s.ctx.events.wake();
    expect(o.eventsOf(visit.id)).toContain('visit.created');
  });

  it('new times retire the old QR code and issue a new one; the fields changed are audited', async () => {
    const visit = await o.visit();
    const departure = new Date(o.clock.now().getTime() + 6 * 3600_000).toISOString();
    const moved = await updateVisit(o.s.ctx, o.tenantId, o.staff, visit.id, {
      expectedDeparture: departure,
      visitor: { company: 'Analytical Engines' },
    });
    expect(moved).toMatchObject({ expectedDeparture: departure, visitor: { company: 'Analytical Engines' } });
    const codes = await o.inTenant((tx) =>
      tx
        .selectFrom('qr_tokens')
        .select((eb) => ['jti', eb('revoked_at', 'is not', null).as('revoked')])
        .where('visit_id', '=', visit.id)
        .orderBy('revoked', 'desc')
        .execute(),
    );
    expect(codes.map((code) => code.revoked)).toEqual([true, false]);
    expect(codes[0]!.jti).toBe(jtiOf(visit.qrToken));
    const audit = await o.inTenant((tx) =>
      tx
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'visit.updated')
        .where('target_id', '=', visit.id)
        .$narrowType<{ details: { fields: string } }>()
        .executeTakeFirst(),
    );
    expect(audit!.details.fields).toBe('expectedDeparture,visitor');
  });

  it('refuses times out of bounds, a host from elsewhere, and moving a visit that has started', async () => {
    const visit = await o.visit();
    const at = (hours: number) => new Date(o.clock.now().getTime() + hours * 3600_000).toISOString();
    const update = (patch: Parameters<typeof updateVisit>[4]) =>
      updateVisit(o.s.ctx, o.tenantId, o.staff, visit.id, patch);
    await expect(update({ expectedDeparture: at(-1) })).rejects.toMatchObject({
      status: 400,
      details: { field: 'expectedDeparture' },
    });
    await expect(update({ expectedDeparture: at(48) })).rejects.toMatchObject({ status: 400 });
    await expect(update({ hostUserId: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({
      status: 400,
      details: { field: 'hostUserId' },
    });
    await checkInByStaff(o.s.ctx, o.tenantId, o.staff, visit, undefined);
    await expect(update({ expectedDeparture: at(5) })).rejects.toMatchObject({
      status: 409,
      code: 'visit_not_editable',
    });
    expect(await update({ visitor: { phone: '+44 20 7946 0000' } })).toMatchObject({ status: 'checked_in' });
  });

  it('cancels a visit that has not started and retires its code; not one on site, nor one twice', async () => {
    const visit = await o.visit();
    expect(await cancelVisit(o.s.ctx, o.tenantId, o.staff, visit.id)).toMatchObject({ status: 'cancelled' });
    const code = await o.inTenant((tx) =>
      tx
        .selectFrom('qr_tokens')
        .select((eb) => eb('revoked_at', 'is not', null).as('revoked'))
        .where('visit_id', '=', visit.id)
        .executeTakeFirst(),
    );
    expect(code!.revoked).toBe(true);
    await expect(cancelVisit(o.s.ctx, o.tenantId, o.staff, visit.id)).rejects.toMatchObject({
      status: 409,
      code: 'visit_not_cancellable',
    });
    const onSite = await o.visit();
    await checkInByStaff(o.s.ctx, o.tenantId, o.staff, onSite, undefined);
    await expect(cancelVisit(o.s.ctx, o.tenantId, o.staff, onSite.id)).rejects.toMatchObject({
      status: 409,
      code: 'visit_in_progress',
    });
    expect(await actionsOn(visit.id)).toEqual(['visit.created', 'visit.cancelled']);
  });
});
