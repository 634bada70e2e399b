import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { Database } from '../src/db/database';
import { migrate } from '../src/db/migrate';
import { openPglite } from '../src/db/pglite';
import { openPostgres } from '../src/db/postgres';
import { adminUrl, testPostgresUrl } from './pg-url';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string;
    postgresTemplate: string;
  }
}

/** Migrates one template per run; every test file then clones it, which is much faster than migrating each time. */
export default async function setup(project: TestProject) {
  if (project.config.env?.ATRIUM_TEST_BACKEND === 'postgres') return setupPostgres(project);
  return setupPglite(project);
}

async function setupPglite(project: TestProject) {
  const backend = await openPglite({ memory: true });
  await migrate(backend);
  const dump = await backend.dump();
  await backend.close();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-pglite-'));
  const file = path.join(dir, 'template.tar');
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  project.provide('pgliteTemplate', file);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}

async function setupPostgres(project: TestProject) {
  const base = testPostgresUrl();
  const admin = new pg.Client({ connectionString: adminUrl(base), connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL tests need a server at ${base} (set TEST_DATABASE_URL to change it): ${(error as Error).message}`,
    );
  }
  const template = `atrium_tpl_${process.pid}`;
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  const url = new URL(base);
  url.pathname = `/${template}`;
  const backend = await openPostgres(url.toString(), { max: 1 });
  await migrate(backend);
  await new Database(backend).close();
  project.provide('postgresTemplate', template);
  return async () => {
    const leftovers = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2`,
      [`atrium_t_${process.pid}_%`, template],
    );
    for (const { datname } of leftovers.rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    await admin.end();
  };
}
