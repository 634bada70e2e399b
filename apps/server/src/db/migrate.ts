import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Backend } from './database';

export interface Migration {
  version: string;
  name: string;
  sql: string;
  checksum: string;
}

// Raw SQL throughout: migrations are DDL scripts, and they run before any generated type describes the schema.
const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
// Any constant works as long as every replica uses the same one: it serializes migrations across processes.
const MIGRATION_LOCK_KEY = 0x61747269;
const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = fs.readdirSync(dir).filter((file) => file.endsWith('.sql'));
  const migrations = files.map((file) => {
    const match = FILE_NAME.exec(file);
    if (!match) throw new MigrationError(`Migration file ${file} must be named NNNN_snake_case.sql`);
    const sql = fs.readFileSync(path.join(dir, file), 'utf8');
    return { version: match[1]!, name: match[2]!, sql, checksum: createHash('sha256').update(sql).digest('hex') };
  });
  migrations.sort((a, b) => a.version.localeCompare(b.version));
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.version === migrations[i - 1]!.version) {
      throw new MigrationError(`Two migrations share version ${migrations[i]!.version}`);
    }
  }
  return migrations;
}

/**
 * Applies pending migrations forward-only, all in one transaction under an exclusive lock: two replicas starting at
 * once never race, and a process killed half-way leaves the database as it was before.
 */
export async function migrate(backend: Backend, migrations = loadMigrations()): Promise<string[]> {
  return backend.withExclusiveLock(MIGRATION_LOCK_KEY, async (tx) => {
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const applied = await tx.query<{ version: string; checksum: string }>(
      'SELECT version, checksum FROM schema_migrations ORDER BY version',
    );
    const known = new Map(migrations.map((m) => [m.version, m]));
    for (const row of applied) {
      const migration = known.get(row.version);
      if (!migration) {
        throw new MigrationError(
          `The database has migration ${row.version}, which this version of Atrium does not know. Is an older version running against a newer database?`,
        );
      }
      if (migration.checksum !== row.checksum) {
        throw new MigrationError(
          `Migration ${row.version}_${migration.name} was changed after it was applied; add a new migration instead.`,
        );
      }
    }
    const done = new Set(applied.map((row) => row.version));
    const pending = migrations.filter((m) => !done.has(m.version));
    for (const migration of pending) {
      try {
        await tx.exec(migration.sql);
      } catch (error) {
        throw new MigrationError(
          `Migration ${migration.version}_${migration.name} failed: ${(error as Error).message}`,
        );
      }
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
    }
    return pending.map((m) => `${m.version}_${m.name}`);
  });
}
