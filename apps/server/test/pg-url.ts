import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Where the PostgreSQL tier runs: TEST_DATABASE_URL, or the local server CI starts. */
export function testPostgresUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** The same server, maintenance database: CREATE/DROP DATABASE run from there. */
export function adminUrl(base: string): string {
  const url = new URL(base);
  url.pathname = '/postgres';
  return url.toString();
}

export function databaseUrl(base: string, name: string): string {
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * An empty database of its own on the test PostgreSQL server, for a test that runs the server as a process (which
 * migrates it). `drop` removes it, even with connections still open.
 */
export async function createScratchDatabase(prefix = 'atrium_t'): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = testPostgresUrl();
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl(base) });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: databaseUrl(base, name),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl(base) });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
