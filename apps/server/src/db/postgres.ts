import pg from 'pg';
import type { Backend, Queryable } from './database';

// One code path for both backends: bigint counts as numbers, timestamps as Date (pg's default).
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === pg.types.builtins.INT8) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};

export async function openPostgres(connectionString: string, options: { max?: number } = {}): Promise<Backend> {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    types,
    connectionTimeoutMillis: 10_000,
    application_name: 'atrium',
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const client = await pool.connect();
  client.release();

  const wrap = (client: pg.PoolClient): Queryable => ({
    query: async (text, params) => (await client.query(text, params as unknown[])).rows,
    exec: async (script) => {
      await client.query(script);
    },
  });

  async function transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await fn(wrap(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  return {
    kind: 'postgres',
    transaction,
    withExclusiveLock: (key, fn) =>
      transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [key]);
        return fn(tx);
      }),
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      await pool.end();
    },
  };
}
