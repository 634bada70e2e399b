import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { inject } from 'vitest';
import { Database } from '../src/db/database';
import { openPglite } from '../src/db/pglite';
import { openPostgres } from '../src/db/postgres';
import { adminUrl, createScratchDatabase, databaseUrl, testPostgresUrl } from './pg-url';

export type TestBackend = 'pglite' | 'postgres';

export const testBackend = (): TestBackend => (process.env.ATRIUM_TEST_BACKEND === 'postgres' ? 'postgres' : 'pglite');

export interface TestDatabase {
  db: Database;
  /** Set on PostgreSQL: the URL of this test's own database, for other processes or replicas. */
  databaseUrl?: string;
  close(): Promise<void>;
}

/** A fresh, migrated database of the backend this project runs on, cloned from the run's template. */
export async function freshDatabase(): Promise<TestDatabase> {
  if (testBackend() === 'pglite') {
    const template = fs.readFileSync(inject('pgliteTemplate'));
    const backend = await openPglite({ memory: true, loadDataDir: new Blob([template]) });
    const db = new Database(backend);
    return { db, close: () => db.close() };
  }
  const base = testPostgresUrl();
  const name = `atrium_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl(base) });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject('postgresTemplate')}`);
  } finally {
    await admin.end();
  }
  const url = databaseUrl(base, name);
  const db = new Database(await openPostgres(url, { max: 4 }));
  return {
    db,
    databaseUrl: url,
    async close() {
      await db.close();
      const drop = new pg.Client({ connectionString: adminUrl(base) });
      await drop.connect();
      await drop.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await drop.end();
    },
  };
}

/** An empty, unmigrated database of this run's backend, for tests that upgrade an older schema. */
export async function emptyDatabase(): Promise<TestDatabase> {
  if (testBackend() === 'pglite') {
    const db = new Database(await openPglite({ memory: true }));
    return { db, close: () => db.close() };
  }
  const scratch = await createScratchDatabase();
  const db = new Database(await openPostgres(scratch.url, { max: 2 }));
  return {
    db,
    databaseUrl: scratch.url,
    async close() {
      await db.close();
      await scratch.drop();
    },
  };
}
