import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testClock } from '../../test/clock';
import { freshDatabase, type TestDatabase, testBackend } from '../../test/db';
import { Database } from '../db/database';
import { openPostgres } from '../db/postgres';
import { RateLimits } from './rate-limit';

const clock = testClock();
let t: TestDatabase;
/** A second handle on the same database where there can be one (PostgreSQL): what another replica would hold. */
let other: Database;

beforeAll(async () => {
  t = await freshDatabase();
  other = t.databaseUrl ? new Database(await openPostgres(t.databaseUrl, { max: 4 })) : t.db;
});
afterAll(async () => {
  if (other !== t.db) await other.close();
  await t?.close();
});

describe(`database rate limits on ${testBackend()}`, () => {
  it('250 concurrent hits on one key over two handles let exactly the limit through', async () => {
    const limits = [new RateLimits(t.db, clock.now), new RateLimits(other, clock.now)];
    const rule = { key: 'test:concurrent', limit: 10, windowSeconds: 60 };
    const waits = await Promise.all(Array.from({ length: 250 }, (_, i) => limits[i % 2]!.hit([rule])));
    expect(waits.filter((w) => w === 0)).toHaveLength(10);
    expect(Math.max(...waits)).toBeLessThanOrEqual(60);
    expect(Math.min(...waits.filter((w) => w > 0))).toBeGreaterThan(0);
  });

  it('a window restarts when it ends, refunds give an attempt back, and the sweep deletes ended windows', async () => {
    const limits = new RateLimits(t.db, clock.now);
    const rule = { key: 'test:window', limit: 2, windowSeconds: 30 };
    expect([await limits.hit([rule]), await limits.hit([rule])]).toEqual([0, 0]);
    expect(await limits.hit([rule])).toBeGreaterThan(0);
    await limits.refund([rule.key]);
    await limits.refund([rule.key]);
    expect(await limits.hit([rule])).toBe(0);
    clock.advance(31_000);
    expect(await limits.hit([rule])).toBe(0);
    clock.advance(31_000);
    expect(await limits.sweep()).toBeGreaterThanOrEqual(2);
    const left = await t.db.asOwner((tx) =>
      tx
        .selectFrom('rate_limits')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    );
    expect(left.n).toBe(0);
  });
});
