import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase, testBackend } from '../../test/db';
import { seedTenant } from '../../test/fixtures';
import { SecretBox } from '../crypto/secret-box';
import { type IssuedVoucher, issueVoucher, revokeVisitVouchers } from '../visits/vouchers';
import { activeVouchers, reconcileMessages, vouchersToPush } from './voucher-feed';

const HOUR_MS = 3600_000;
const box = new SecretBox(randomBytes(32));
let t: TestDatabase;
let site: { tenantId: string; siteId: string };
let current: IssuedVoucher;
let ended: IssuedVoucher;
let revoked: IssuedVoucher;

beforeAll(async () => {
  t = await freshDatabase();
  const tenant = await seedTenant(t.db, 'feed');
  site = { tenantId: tenant.tenantId, siteId: tenant.siteId };
  await t.db.withTenant(site.tenantId, async (tx) => {
    const { id: visitId } = await tx.selectFrom('visits').select('id').executeTakeFirstOrThrow();
    // The fixture's own voucher is sealed with another key: revoke it, as this feed could not open it.
    await revokeVisitVouchers(tx, visitId);
    const now = Date.now();
    revoked = await issueVoucher(tx, box, {
      siteId: site.siteId,
      visitId,
      validFrom: new Date(now),
      validUntil: new Date(now + HOUR_MS),
    });
    await revokeVisitVouchers(tx, visitId);
    const issue = (from: number, until: number) =>
      issueVoucher(tx, box, { siteId: site.siteId, visitId, validFrom: new Date(from), validUntil: new Date(until) });
    current = await issue(now - HOUR_MS, now + HOUR_MS);
    ended = await issue(now - 2 * HOUR_MS, now - HOUR_MS);
  });
});
afterAll(() => t?.close());

describe(`vouchers as agents receive them, on ${testBackend()}`, () => {
  it('a reconciliation carries the site’s vouchers still valid now, their passwords opened', async () => {
    const vouchers = await activeVouchers({ db: t.db, box }, site, new Date());
    expect(vouchers).toEqual([
      {
        id: current.id,
        username: current.username,
        password: current.password,
        validFrom: expect.any(String),
        validUntil: current.validUntil.toISOString(),
        version: 1,
      },
    ]);
    const later = await activeVouchers({ db: t.db, box }, site, new Date(Date.now() + 2 * HOUR_MS));
    expect(later).toEqual([]);
  });

  it('a push carries the asked-for vouchers that are still active, by id', async () => {
    const byId = await vouchersToPush({ db: t.db, box }, site.tenantId, [current.id, ended.id, revoked.id]);
    // An upsert for a voucher revoked since is left out; one that ran out of time is for the agent to expire.
    expect([...byId.keys()].sort()).toEqual([current.id, ended.id].sort());
    expect(byId.get(current.id)).toMatchObject({ username: current.username, password: current.password });
    expect(await vouchersToPush({ db: t.db, box }, site.tenantId, [])).toEqual(new Map());
  });

  it('a reconciliation goes in parts of 1,000 to an agent that takes parts, and whole to one that does not', async () => {
    const [one] = await activeVouchers({ db: t.db, box }, site, new Date());
    const many = Array.from({ length: 2500 }, (_, i) => ({ ...one!, username: `guest-${i}` }));
    const parts = reconcileMessages(many, ['reconcile.parts']);
    const shape = parts.map((m) => (m.type === 'vouchers.reconcile' ? [m.vouchers.length, m.part] : m.type));
    const set = (parts[0] as { part: { set: string } }).part.set;
    expect(shape).toEqual([
      [1000, { set, index: 0, last: false, total: 2500 }],
      [1000, { set, index: 1, last: false, total: 2500 }],
      [500, { set, index: 2, last: true, total: 2500 }],
    ]);
    expect(parts.flatMap((m) => (m.type === 'vouchers.reconcile' ? m.vouchers : []))).toEqual(many);
    expect(reconcileMessages([], ['reconcile.parts'])).toEqual([
      expect.objectContaining({ vouchers: [], part: { set: expect.any(String), index: 0, last: true, total: 0 } }),
    ]);
    const whole = reconcileMessages(many, undefined);
    expect(whole).toHaveLength(1);
    expect(whole[0]).not.toHaveProperty('part');
  });
});
