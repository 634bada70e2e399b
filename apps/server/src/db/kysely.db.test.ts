import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase, testBackend } from '../../test/db';
import { seedTenant } from '../../test/fixtures';
import type { CreatedTenant } from '../tenancy/tenants';

let t: TestDatabase;
let a: CreatedTenant;
let b: CreatedTenant;

beforeAll(async () => {
  t = await freshDatabase();
  a = await seedTenant(t.db, 'a');
  b = await seedTenant(t.db, 'b');
});
afterAll(() => t?.close());

describe(`Kysely inside a transaction on ${testBackend()}`, () => {
  it('sees only the tenant the transaction was opened for, with bigints as numbers and timestamps as Dates', async () => {
    const sites = await t.db.withTenant(a.tenantId, (tx) =>
      tx.selectFrom('sites').select(['id', 'tenant_id', 'created_at']).execute(),
    );
    expect(sites.map((site) => site.tenant_id)).toEqual([a.tenantId]);
    expect(sites[0]!.created_at).toBeInstanceOf(Date);
    const count = await t.db.withTenant(a.tenantId, (tx) =>
      tx
        .selectFrom('sites')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow(),
    );
    expect(count.n).toBe(1);
  });

  it('reports how many rows a write changed', async () => {
    const result = await t.db.withTenant(b.tenantId, (tx) =>
      tx.updateTable('sites').set({ wifi_ssid: 'Visitors' }).where('tenant_id', '=', b.tenantId).executeTakeFirst(),
    );
    expect(result.numUpdatedRows).toBe(1n);
  });

  it('rolls back builder and sql template writes together when the transaction fails', async () => {
    await expect(
      t.db.withTenant(a.tenantId, async (tx) => {
        await tx.updateTable('sites').set({ name: 'Renamed' }).execute();
        await sql`UPDATE tenants SET name = ${'Renamed'}`.execute(tx);
        throw new Error('stop');
      }),
    ).rejects.toThrow('stop');
    const names = await t.db.withTenant(a.tenantId, async (tx) => ({
      site: (await tx.selectFrom('sites').select('name').executeTakeFirstOrThrow()).name,
      tenant: (await tx.selectFrom('tenants').select('name').executeTakeFirstOrThrow()).name,
    }));
    expect(names.site).not.toBe('Renamed');
    expect(names.tenant).not.toBe('Renamed');
  });

  it('refuses to open a transaction inside one', async () => {
    await expect(t.db.withTenant(a.tenantId, (tx) => tx.transaction().execute(async () => 1))).rejects.toThrow(
      'Already inside a transaction',
    );
  });
});
