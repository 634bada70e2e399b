import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase, testBackend } from '../../test/db';
import { seedTenant } from '../../test/fixtures';
import type { CreatedTenant } from '../tenancy/tenants';
import { findRlsProblems, tenantTables } from './rls-audit';

let t: TestDatabase;
let a: CreatedTenant;
let b: CreatedTenant;
let tables: string[];

beforeAll(async () => {
  t = await freshDatabase();
  a = await seedTenant(t.db, 'a');
  b = await seedTenant(t.db, 'b');
  tables = await t.db.asOwner(tenantTables);
});
afterAll(() => t?.close());

describe(`tenant isolation on ${testBackend()}`, () => {
  it('the catalog shows every tenant table protected', async () => {
    expect(await t.db.asOwner(findRlsProblems)).toEqual([]);
    expect(tables).toEqual(
      expect.arrayContaining(['sites', 'users', 'credentials', 'user_site_roles', 'audit_events']),
    );
  });

  it('the fixture puts rows of both tenants in every tenant table', async () => {
    for (const table of tables) {
      const { rows } = await t.db.asOwner((tx) =>
        sql<{ tenant_id: string; n: number }>`SELECT tenant_id, count(*)::int AS n FROM ${sql.table(table)}
          WHERE tenant_id IN (${a.tenantId}, ${b.tenantId}) GROUP BY tenant_id`.execute(tx),
      );
      expect(rows.length, `seedTenant must add rows to ${table}`).toBe(2);
    }
  });

  it('a query without WHERE inside tenant A sees only A', async () => {
    for (const table of tables) {
      const { rows: seen } = await t.db.withTenant(a.tenantId, (tx) =>
        sql<{ tenant_id: string }>`SELECT DISTINCT tenant_id FROM ${sql.table(table)}`.execute(tx),
      );
      expect(seen, table).toEqual([{ tenant_id: a.tenantId }]);
    }
    const tenants = await t.db.withTenant(a.tenantId, (tx) => tx.selectFrom('tenants').select('id').execute());
    expect(tenants).toEqual([{ id: a.tenantId }]);
  });

  it("writing B's tenant_id from inside A fails, for insert and update", async () => {
    for (const table of tables) {
      // Copy one of A's own rows, re-labelled as B's: only the policy can stop it.
      const insert = t.db.withTenant(a.tenantId, (tx) =>
        sql`INSERT INTO ${sql.table(table)}
            SELECT (jsonb_populate_record(NULL::${sql.table(table)}, to_jsonb(r) || jsonb_build_object('tenant_id', ${b.tenantId}::uuid))).*
              FROM ${sql.table(table)} r LIMIT 1`.execute(tx),
      );
      await expect(insert, table).rejects.toThrow(/row-level security|permission denied|cannot insert/);
      const update = t.db.withTenant(a.tenantId, (tx) =>
        sql`UPDATE ${sql.table(table)} SET tenant_id = ${b.tenantId}`.execute(tx),
      );
      await expect(update, table).rejects.toThrow(/row-level security|permission denied/);
    }
  });

  it('outside withTenant nothing is visible', async () => {
    for (const table of [...tables, 'tenants']) {
      const {
        rows: [row],
      } = await t.db.withoutTenant((tx) =>
        sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(tx),
      );
      expect(row, table).toEqual({ n: 0 });
    }
  });

  it('the audit log is append-only for the app', async () => {
    await expect(t.db.withTenant(a.tenantId, (tx) => tx.deleteFrom('audit_events').execute())).rejects.toThrow(
      /permission denied/,
    );
  });

  it('an unprotected table added by a migration is reported', async () => {
    // DDL, one statement per query (PGlite's extended protocol takes one at a time).
    await t.db.asOwner(async (tx) => {
      await sql`CREATE TABLE leaky (id serial PRIMARY KEY, tenant_id uuid NOT NULL)`.execute(tx);
      await sql`CREATE TABLE half (id serial PRIMARY KEY, tenant_id uuid NOT NULL)`.execute(tx);
      await sql`ALTER TABLE half ENABLE ROW LEVEL SECURITY`.execute(tx);
      await sql`CREATE TABLE orphan (id serial PRIMARY KEY)`.execute(tx);
      await sql`CREATE VIEW peek AS SELECT * FROM users`.execute(tx);
    });
    const problems = await t.db.asOwner(findRlsProblems);
    await t.db.asOwner(async (tx) => {
      await sql`DROP VIEW peek`.execute(tx);
      await sql`DROP TABLE leaky, half, orphan`.execute(tx);
    });
    expect(problems).toEqual([
      'half: row level security is not forced',
      'half: no tenant_isolation policy on app_current_tenant() for all commands',
      'leaky: row level security is not enabled',
      'leaky: row level security is not forced',
      'leaky: no tenant_isolation policy on app_current_tenant() for all commands',
      'orphan: no tenant_id column (add one, or list it in GLOBAL_TABLES with a reason)',
      'peek: view without security_invoker=true',
    ]);
  });
});
