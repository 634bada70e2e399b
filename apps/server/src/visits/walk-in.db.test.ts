import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../test/db';
import { type VisitOffice, visitOffice } from '../../test/visit-office';
import { walkIn } from './walk-in';

let o: VisitOffice;
beforeAll(async () => {
  o = await visitOffice('walk-in');
});
afterAll(() => o?.s.stop());

const request = (name: string, idempotencyKey = randomUUID()) => ({
  visitor: { name },
  idempotencyKey,
  occurredAt: o.clock.now().toISOString(),
});
const visitorsNamed = async (name: string) =>
  (
    await o.inTenant((tx) =>
      tx
        .selectFrom('visitors')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('name', '=', name)
        .executeTakeFirstOrThrow(),
    )
  ).n;
const allowWalkIns = (settings: object) =>
  o.inTenant((tx) =>
    tx
      .updateTable('sites')
      // jsonb merge: these settings over the stored ones.
      .set({ settings: sql`settings || ${JSON.stringify({ walkInsAllowed: true, ...settings })}::jsonb` })
      .where('id', '=', o.siteId)
      .execute(),
  );

describe(`walk-ins on ${testBackend()}`, () => {
  it('only where the site allows them; a retry answers the first walk-in with 200 and leaves one visit', async () => {
    const body = request('Walk In');
    await expect(walkIn(o.s.ctx, o.kiosk, body)).rejects.toMatchObject({ status: 403, code: 'walk_ins_disabled' });
    expect(await visitorsNamed('Walk In')).toBe(0);
    await allowWalkIns({});
    const first = await walkIn(o.s.ctx, o.kiosk, body);
    expect(first).toMatchObject({ status: 201, body: { displayName: 'Walk I.' } });
    expect(await walkIn(o.s.ctx, o.kiosk, body)).toEqual({ ...first, status: 200 });
    expect(await visitorsNamed('Walk In')).toBe(1);
    const visit = await o.inTenant((tx) =>
      tx
        .selectFrom('visits')
        .select(['status', 'expected_arrival', 'expected_departure'])
        .where('id', '=', first.body.visitId)
        .executeTakeFirstOrThrow(),
    );
    expect(visit.status).toBe('checked_in');
    expect(Math.floor((visit.expected_departure.getTime() - visit.expected_arrival.getTime()) / 3600_000)).toBe(8);
  });

  it('a retry is not counted against the limit; a walk-in over it is refused and leaves nothing', async () => {
    await allowWalkIns({ walkInsPerKiosk: 1, walkInWindowMinutes: 60 });
    o.clock.advance(61 * 60_000);
    const body = request('Limited');
    expect((await walkIn(o.s.ctx, o.kiosk, body)).status).toBe(201);
    expect((await walkIn(o.s.ctx, o.kiosk, body)).status).toBe(200);
    await expect(walkIn(o.s.ctx, o.kiosk, request('Limited'))).rejects.toMatchObject({
      status: 429,
      code: 'rate_limited',
    });
    expect(await visitorsNamed('Limited')).toBe(1);
  });
});
