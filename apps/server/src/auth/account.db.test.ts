import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testClock } from '../../test/clock';
import { testBackend } from '../../test/db';
import { startTestServer, type TestServer } from '../../test/http';
import { addUser, seedTwoSites, type TwoSites } from '../../test/two-sites';
import type { DomainEvent } from '../events/outbox';
import { hashPassword } from '../tenancy/passwords';
import { type AccountHolder, changeOwnPassword, confirmTotp, disableTotp, loadMe, startTotpEnrolment } from './account';
import { base32Decode, hotp, totpStep } from './totp';

// The /me routes are covered over HTTP in routes/me; this pins what the service records and announces on its own.
const PASSWORD = 'an old and long enough passphrase';
const IP = '203.0.113.7';
const clock = testClock();
let s: TestServer;
let w: TwoSites;
const delivered: DomainEvent[] = [];

beforeAll(async () => {
  s = await startTestServer({ now: clock.now });
  w = await seedTwoSites(s);
  s.ctx.events.subscribe((event) => delivered.push(event));
});
afterAll(() => s?.stop());

async function holder(): Promise<AccountHolder> {
  const userId = await addUser(
    s.db,
    w.tenantId,
    [{ role: 'member', siteId: w.s1 }],
    'holder',
    await hashPassword(PASSWORD),
  );
  return { tenantId: w.tenantId, userId, ip: IP };
}

async function auditOf(userId: string) {
  return s.db.withTenant(w.tenantId, (tx) =>
    tx
      .selectFrom('audit_events')
      .select([
        'actor_type',
        'actor_id',
        'action',
        'target_type',
        'target_id',
        'outcome',
        sql<string>`host(ip)`.as('ip'),
        'details',
      ])
      .where('target_id', '=', userId)
      .orderBy('id')
      .execute(),
  );
}

const entry = (user: AccountHolder, action: string) => ({
  actor_type: 'user',
  actor_id: user.userId,
  action,
  target_type: 'user',
  target_id: user.userId,
  outcome: 'success',
  ip: IP,
  details: {},
});

describe(`account service on ${testBackend()}`, () => {
  it('reads nothing for an account that is gone', async () => {
    expect(await loadMe(s.ctx, { tenantId: w.tenantId, userId: randomUUID() })).toBeUndefined();
  });

  it('records a password change and announces the access change once committed', async () => {
    const user = await holder();
    await changeOwnPassword(s.ctx, user, { currentPassword: PASSWORD, newPassword: 'a brand new long passphrase' });
    expect(await auditOf(user.userId)).toEqual([entry(user, 'user.password_changed')]);
    await expect
      .poll(() =>
        delivered.some(
          (e) => e.type === 'user.access_changed' && 'userId' in e.payload && e.payload.userId === user.userId,
        ),
      )
      .toBe(true);
  });

  it('records two-step sign-in turned on and off, and nothing for a refused attempt', async () => {
    const user = await holder();
    const { secret } = await startTotpEnrolment(s.ctx, user);
    const [previous, code, next] = [-1, 0, 1].map((o) => hotp(base32Decode(secret), totpStep(clock.now()) + o));
    const wrong = ['000000', '111111', '222222', '333333'].find((c) => ![previous, code, next].includes(c))!;
    await expect(confirmTotp(s.ctx, user, wrong)).rejects.toMatchObject({ code: 'invalid_input' });
    const { recoveryCodes } = await confirmTotp(s.ctx, user, code!);
    expect(recoveryCodes).toHaveLength(10);
    await expect(disableTotp(s.ctx, user, 'not the password')).rejects.toMatchObject({ code: 'invalid_input' });
    await disableTotp(s.ctx, user, PASSWORD);
    expect(await auditOf(user.userId)).toEqual([entry(user, 'user.mfa_enabled'), entry(user, 'user.mfa_disabled')]);
  });
});
