/**
 * `npm run migrate-to-postgres`: moves an embedded database (DATA_DIR) into an empty PostgreSQL database
 * (DATABASE_URL), for an office that outgrows one process. Both are brought to the same schema by the normal
 * migrations; every table is then copied row for row in one target transaction, sequences are moved on, and the row
 * counts are compared before it commits, so a failed move leaves the target empty and the source untouched.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../config';
import type { Backend } from '../db/database';
import { lockOwner } from '../db/lock';
import { migrate } from '../db/migrate';
import { openPglite } from '../db/pglite';
import { openPostgres } from '../db/postgres';

// Raw SQL on the backends: the copy is generic over every table and reads the catalog, not typed per table.
const CHUNK = 2000;
const say = (line: string) => process.stdout.write(`${line}\n`);
function fail(message: string): never {
  process.stderr.write(`atrium: ${message}\n`);
  process.exit(1);
}

/** Tables of the schema (not the migration bookkeeping, which each side keeps for itself). */
async function tablesOf(backend: Backend): Promise<string[]> {
  const rows = await backend.transaction((tx) =>
    tx.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations'
        ORDER BY c.relname`,
    ),
  );
  return rows.map((row) => row.name);
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function copyToPostgres(source: Backend, target: Backend, log: (line: string) => void): Promise<number> {
  const tables = await tablesOf(source);
  const [existing] = await target.transaction((tx) =>
    tx.query<{ n: number }>('SELECT count(*)::int AS n FROM tenants'),
  );
  if (existing!.n > 0) throw new Error('the PostgreSQL database already holds Atrium data; use an empty database');
  let total = 0;
  await target.transaction(async (tx) => {
    // Rows arrive table by table: foreign keys and the append-only triggers would refuse them mid-way. This needs a
    // superuser (the owner role of the compose file is one), which is checked here with a clear message.
    await tx.query('SET LOCAL session_replication_role = replica').catch(() => {
      throw new Error('the DATABASE_URL role must be a superuser for the move (session_replication_role)');
    });
    for (const table of tables) {
      let copied = 0;
      for (let offset = 0; ; offset += CHUNK) {
        const [chunk] = await source.transaction((src) =>
          src.query<{ rows: unknown[] | null }>(
            `SELECT json_agg(t) AS rows FROM (SELECT * FROM ${quote(table)} ORDER BY ctid LIMIT ${CHUNK} OFFSET ${offset}) t`,
          ),
        );
        const rows = chunk?.rows ?? [];
        if (rows.length === 0) break;
        await tx.query(
          `INSERT INTO ${quote(table)} OVERRIDING SYSTEM VALUE SELECT * FROM json_populate_recordset(NULL::${quote(table)}, $1::json)`,
          [JSON.stringify(rows)],
        );
        copied += rows.length;
        if (rows.length < CHUNK) break;
      }
      const [counted] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${quote(table)}`);
      if (counted!.n !== copied) throw new Error(`${table}: copied ${copied} rows but the target holds ${counted!.n}`);
      if (copied > 0) log(`  ${table}: ${copied}`);
      total += copied;
    }
    // Identity and serial columns continue after the copied rows.
    const sequences = await tx.query<{ seq: string; tbl: string; col: string }>(
      `SELECT s.relname AS seq, t.relname AS tbl, a.attname AS col
         FROM pg_depend d
         JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
         JOIN pg_class t ON t.oid = d.refobjid
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
         JOIN pg_namespace n ON n.oid = s.relnamespace AND n.nspname = 'public'
        WHERE d.deptype IN ('a', 'i')`,
    );
    for (const { seq, tbl, col } of sequences) {
      await tx.query(
        `SELECT setval('${quote(seq)}', coalesce((SELECT max(${quote(col)}) FROM ${quote(tbl)}), 0) + 1, false)`,
      );
    }
  });
  return total;
}

async function main() {
  const config = loadConfig();
  if (!config.DATABASE_URL) fail('set DATABASE_URL to the (empty) PostgreSQL database to move the embedded one into');
  if (!fs.existsSync(path.join(config.DATA_DIR, 'pgdata')))
    fail(`there is no embedded database in DATA_DIR ${config.DATA_DIR}`);
  const owner = lockOwner(config.DATA_DIR);
  if (owner !== undefined) fail(`the server (pid ${owner}) is running on DATA_DIR ${config.DATA_DIR}; stop it first`);

  const source = await openPglite({ dataDir: config.DATA_DIR });
  let target: Backend | undefined;
  try {
    target = await openPostgres(config.DATABASE_URL, { max: 2 });
    say('Bringing both databases to the current schema…');
    await migrate(source);
    await migrate(target);
    say(`Copying ${config.DATA_DIR} into PostgreSQL:`);
    const rows = await copyToPostgres(source, target, say);
    say(`Moved ${rows} rows. The embedded database in ${config.DATA_DIR} is unchanged; keep it until you are sure.`);
    if (!config.ATRIUM_SECRET_KEY) {
      say(
        `Start the server with DATABASE_URL and the same key: keep DATA_DIR (it holds secret.key) or set ATRIUM_SECRET_KEY to the contents of ${path.join(config.DATA_DIR, 'secret.key')}.`,
      );
    }
  } catch (error) {
    fail(`the move failed and the PostgreSQL database was left as it was: ${(error as Error).message}`);
  } finally {
    await source.close();
    await target?.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]).endsWith(path.join('backup', 'to-postgres.ts'))) {
  main().catch((error) => {
    if (error instanceof ConfigError) fail(`configuration: ${error.message}`);
    throw error;
  });
}
