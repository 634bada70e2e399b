import fs from 'node:fs';
import path from 'node:path';
import { PGlite, types } from '@electric-sql/pglite';
import type { Backend, Connection } from './database';
import { acquireDataDirLock } from './lock';

const parsers = { [types.INT8]: (value: string) => Number(value) };

/** `loadDataDir` fills an empty directory (or memory) from a dump, as a restore does. */
export type PgliteSource = { dataDir: string; loadDataDir?: Blob } | { memory: true; loadDataDir?: Blob };

/** Embedded PostgreSQL in DATA_DIR: one process per directory (lock file), queries serialized by PGlite itself. */
export async function openPglite(source: PgliteSource): Promise<Backend & { dump(): Promise<Blob> }> {
  let releaseLock = () => {};
  let dataDir: string | undefined;
  if ('dataDir' in source) {
    fs.mkdirSync(source.dataDir, { recursive: true });
    releaseLock = acquireDataDirLock(source.dataDir);
    dataDir = path.join(source.dataDir, 'pgdata');
  }
  let db: PGlite;
  try {
    db = await PGlite.create({
      ...(dataDir ? { dataDir } : { dataDir: 'memory://' }),
      ...(source.loadDataDir ? { loadDataDir: source.loadDataDir } : {}),
      parsers,
    });
  } catch (error) {
    releaseLock();
    throw error;
  }

  const transaction = <T>(fn: (tx: Connection) => Promise<T>): Promise<T> =>
    db.transaction((tx) =>
      fn({
        query: async (text, params) => (await tx.query(text, params as unknown[])).rows as never,
        run: async (text, params) => {
          const result = await tx.query<Record<string, unknown>>(text, params as unknown[]);
          return { rows: result.rows, affectedRows: result.affectedRows };
        },
        exec: async (script) => {
          await tx.exec(script);
        },
      }),
    );

  return {
    kind: 'pglite',
    transaction,
    // A single process owns the data dir (lock file) and PGlite runs one transaction at a time, so a transaction is
    // already exclusive.
    withExclusiveLock: (_key, fn) => transaction(fn),
    // One process owns the data dir, so in-process wake-ups already reach every subscriber.
    listen: async () => async () => {},
    async ping() {
      await db.query('SELECT 1');
    },
    async close() {
      try {
        await db.close();
      } finally {
        releaseLock();
      }
    },
    dump: () => db.dumpDataDir('none'),
  };
}
