import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase, testBackend } from '../../test/db';
import { loadMigrations, MigrationError, migrate } from './migrate';

let t: TestDatabase;
let dir: string;
beforeEach(async () => {
  t = await freshDatabase();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-migrations-'));
  for (const m of loadMigrations()) fs.writeFileSync(path.join(dir, `${m.version}_${m.name}.sql`), m.sql);
});
afterEach(async () => {
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe(`migrations on ${testBackend()}`, () => {
  it('a migrated database has nothing pending and re-running changes nothing', async () => {
    expect(await migrate(t.db.backend)).toEqual([]);
  });

  it('applies a new migration once', async () => {
    fs.writeFileSync(path.join(dir, '9000_extra.sql'), 'CREATE TABLE extra_global (id int);');
    expect(await migrate(t.db.backend, loadMigrations(dir))).toEqual(['9000_extra']);
    expect(await migrate(t.db.backend, loadMigrations(dir))).toEqual([]);
  });

  it('a failing migration leaves nothing behind', async () => {
    fs.writeFileSync(path.join(dir, '9000_good.sql'), 'CREATE TABLE first_half (id int);');
    fs.writeFileSync(path.join(dir, '9001_bad.sql'), 'CREATE TABLE second_half (id int); SELECT no_such_function();');
    await expect(migrate(t.db.backend, loadMigrations(dir))).rejects.toThrow(/Migration 9001_bad failed/);
    const { rows } = await t.db.asOwner((tx) =>
      // Catalog: no generated type covers pg_class.
      sql<{
        n: number;
      }>`SELECT count(*)::int AS n FROM pg_class WHERE relname IN ('first_half', 'second_half')`.execute(tx),
    );
    expect(rows[0]!.n).toBe(0);
  });

  it('refuses an applied migration whose file changed', async () => {
    const [first] = loadMigrations(dir);
    fs.appendFileSync(path.join(dir, `${first!.version}_${first!.name}.sql`), '\n-- edited\n');
    await expect(migrate(t.db.backend, loadMigrations(dir))).rejects.toThrow(MigrationError);
    await expect(migrate(t.db.backend, loadMigrations(dir))).rejects.toThrow(/was changed after it was applied/);
  });

  it('refuses a database from a newer version', async () => {
    await t.db.asOwner((tx) =>
      tx.insertInto('schema_migrations').values({ version: '9999', name: 'future', checksum: 'x' }).execute(),
    );
    await expect(migrate(t.db.backend)).rejects.toThrow(/does not know/);
  });
});

it('rejects badly named migration files', () => {
  const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-migrations-'));
  fs.writeFileSync(path.join(bad, 'create-things.sql'), 'SELECT 1;');
  expect(() => loadMigrations(bad)).toThrow(/NNNN_snake_case/);
  fs.rmSync(bad, { recursive: true });
});
