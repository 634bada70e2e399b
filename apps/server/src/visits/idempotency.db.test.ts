import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../test/db';
import { type VisitOffice, visitOffice } from '../../test/visit-office';
import { conflict } from '../http/errors';
import { claimKey, type KeyScope, releaseKey, settle, undoIfReplayed } from './idempotency';

let o: VisitOffice;
let visitId: string;
let otherVisitId: string;
beforeAll(async () => {
  o = await visitOffice('keys');
  visitId = (await o.visit()).id;
  otherVisitId = (await o.visit({ name: 'Other Guest' })).id;
});
afterAll(() => o?.s.stop());

const at = { occurredAt: new Date(), offline: false };
const claim = (scope: KeyScope) => o.s.db.withTenant(o.tenantId, (tx) => claimKey(tx, scope, at));

describe(`idempotency keys on ${testBackend()}`, () => {
  it('a key answers only within its scope: the same kiosk, operation and visit', async () => {
    const scope: KeyScope = {
      operation: 'check_in',
      key: randomUUID(),
      kioskId: o.kiosk.kioskId,
      userId: null,
      visitId,
    };
    const first = await claim(scope);
    expect(first.claimed).toBe(true);
    if (!first.claimed) return;
    expect(await claim(scope)).toEqual({ claimed: false, first: { id: first.id, visitId } });
    // Another actor, operation or visit with the same key is a new key.
    for (const other of [
      { ...scope, kioskId: null, userId: o.staff.id },
      { ...scope, operation: 'check_out' as const },
      { ...scope, visitId: otherVisitId },
    ]) {
      expect((await claim(other)).claimed, JSON.stringify(other)).toBe(true);
    }
  });

  it("a walk-in's key is scoped without its visit, which is new on every attempt", async () => {
    const scope: KeyScope = {
      operation: 'walk_in',
      key: randomUUID(),
      kioskId: o.kiosk.kioskId,
      userId: null,
      visitId,
    };
    const first = await claim(scope);
    expect(first.claimed).toBe(true);
    const retry = await claim({ ...scope, visitId: otherVisitId });
    expect(retry).toMatchObject({ claimed: false, first: { visitId } });
  });

  it('a released key is judged afresh, and the failure is thrown only after the commit', async () => {
    const scope: KeyScope = {
      operation: 'check_out',
      key: randomUUID(),
      kioskId: o.kiosk.kioskId,
      userId: null,
      visitId,
    };
    const outcome = await o.s.db.withTenant(o.tenantId, async (tx) => {
      const first = await claimKey(tx, scope, at);
      if (!first.claimed) throw new Error('expected a new claim');
      return releaseKey(tx, first.id, conflict('not_checked_in', 'This visitor is not checked in.'));
    });
    expect(() => settle(outcome)).toThrow(expect.objectContaining({ status: 409, code: 'not_checked_in' }));
    expect((await claim(scope)).claimed).toBe(true);
  });

  it('a replayed attempt undoes what it wrote; a first attempt keeps it', async () => {
    const visitors = async () =>
      (
        await o.inTenant((tx) =>
          tx
            .selectFrom('visitors')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('name', '=', 'Attempt')
            .executeTakeFirstOrThrow(),
        )
      ).n;
    const attempt = (status: 200 | 201) =>
      o.s.db.withTenant(o.tenantId, (tx) =>
        undoIfReplayed(tx, async () => {
          await tx.insertInto('visitors').values({ tenant_id: o.tenantId, name: 'Attempt' }).execute();
          return { ok: true, status, body: 'answer' };
        }),
      );
    expect(await attempt(200)).toEqual({ ok: true, status: 200, body: 'answer' });
    expect(await visitors()).toBe(0);
    expect(settle(await attempt(201))).toEqual({ status: 201, body: 'answer' });
    expect(await visitors()).toBe(1);
  });
});
