import { randomUUID } from 'node:crypto';
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
  (await o.query<{ n: number }>('SELECT count(*)::int AS n FROM visitors WHERE name = $1', [name]))[0]!.n;
const allowWalkIns = (settings: object) =>
  o.query('UPDATE sites SET settings = settings || $2::jsonb WHERE id = $1', [
    o.siteId,
    JSON.stringify({ walkInsAllowed: true, ...settings }),
  ]);

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
    const [visit] = await o.query<{ status: string; hours: number }>(
      'SELECT status, extract(epoch FROM expected_departure - expected_arrival)::int / 3600 AS hours FROM visits WHERE id = $1',
      [first.body.visitId],
    );
    expect(visit).toEqual({ status: 'checked_in', hours: 8 });
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
