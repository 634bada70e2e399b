import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase, testBackend } from '../../test/db';
import { seedTenant } from '../../test/fixtures';
import type { CreatedTenant } from '../tenancy/tenants';
import type { Tx } from './kysely';

let t: TestDatabase;
let a: CreatedTenant;
let b: CreatedTenant;
let emailOf: (tenant: CreatedTenant) => Promise<string>;

beforeAll(async () => {
  t = await freshDatabase();
  a = await seedTenant(t.db, 'a');
  b = await seedTenant(t.db, 'b');
  emailOf = async (tenant) => {
    const row = await t.db.withTenant(tenant.tenantId, (tx) =>
      tx.selectFrom('users').select('email').where('id', '=', tenant.adminUserId).executeTakeFirstOrThrow(),
    );
    return row.email;
  };
  await t.db.asOwner((tx) =>
    tx
      .insertInto('pairing_codes')
      .values({ code: '123456', device_code_hash: 'fixture', expires_at: sql<Date>`now() + interval '1 hour'` })
      .execute(),
  );
});
afterAll(() => t?.close());

/** The SQLSTATE a statement fails with as the app role (with or without a tenant), or 'ok'. */
async function asApp(statement: string, tenantId?: string): Promise<string> {
  const run = (tx: Tx) => sql.raw(statement).execute(tx);
  try {
    await (tenantId ? t.db.withTenant(tenantId, run) : t.db.withoutTenant(run));
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe(`pre-tenant tables on ${testBackend()}`, () => {
  it('the app role cannot read or write login_emails, pairing_codes or rate_limits directly', async () => {
    const columns = { login_emails: 'email', pairing_codes: 'code', rate_limits: 'key' };
    for (const [table, column] of Object.entries(columns)) {
      for (const tenantId of [undefined, a.tenantId]) {
        expect(await asApp(`SELECT * FROM ${table}`, tenantId), `${table} readable`).toBe('42501');
        expect(await asApp(`DELETE FROM ${table}`, tenantId), `${table} deletable`).toBe('42501');
        expect(await asApp(`UPDATE ${table} SET ${column} = ${column}`, tenantId), `${table} updatable`).toBe('42501');
      }
    }
  });

  it('a sign-in lookup returns the one account asked for, and nothing for an unknown email', async () => {
    const email = await emailOf(a);
    const found = await t.db.withoutTenant((tx) => sql`SELECT * FROM app_login_lookup(${email})`.execute(tx));
    expect(found.rows).toEqual([{ tenant_id: a.tenantId, user_id: a.adminUserId }]);
    const none = await t.db.withoutTenant((tx) => sql`SELECT * FROM app_login_lookup(${'%'})`.execute(tx));
    expect(none.rows).toEqual([]);
  });

  it("a tenant can change its own users' sign-in email and nobody else's", async () => {
    const bEmail = await emailOf(b);
    // Without a tenant, or for a user of another tenant, the function refuses and nothing changes.
    expect(await asApp(`SELECT app_login_email_set('${b.adminUserId}', 'stolen@example.test')`)).toBe('42501');
    expect(await asApp(`SELECT app_login_email_set('${b.adminUserId}', 'stolen@example.test')`, a.tenantId)).toBe(
      '42501',
    );
    const lookup = async (email: string) =>
      (await t.db.withoutTenant((tx) => sql`SELECT user_id FROM app_login_lookup(${email})`.execute(tx))).rows;
    expect(await lookup('stolen@example.test')).toEqual([]);
    expect(await lookup(bEmail)).toEqual([{ user_id: b.adminUserId }]);

    await t.db.withTenant(a.tenantId, (tx) =>
      sql`SELECT app_login_email_set(${a.adminUserId}, ${'renamed-a@example.test'})`.execute(tx),
    );
    expect(await lookup('renamed-a@example.test')).toEqual([{ user_id: a.adminUserId }]);
    // Taking another account's email is a unique violation (the users route maps it to 409 email_taken).
    expect(await asApp(`SELECT app_login_email_set('${a.adminUserId}', '${bEmail}')`, a.tenantId)).toBe('23505');
  });

  it('pairing functions touch only the code asked for; binding needs a tenant', async () => {
    expect(await asApp(`SELECT app_pairing_bind('123456', gen_random_uuid(), now())`)).toBe('42501');
    const polled = await t.db.withoutTenant((tx) =>
      sql`SELECT kiosk_id FROM app_pairing_poll(${'fixture'}, now())`.execute(tx),
    );
    expect(polled.rows).toEqual([{ kiosk_id: null }]);
    const unknown = await t.db.withoutTenant((tx) => sql`SELECT * FROM app_pairing_poll(${'%'}, now())`.execute(tx));
    expect(unknown.rows).toEqual([]);
  });
});
