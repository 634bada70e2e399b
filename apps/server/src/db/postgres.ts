import pg from 'pg';
import type { Backend, Connection } from './database';

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

  const wrap = (client: pg.PoolClient): Connection => ({
    query: async (text, params) => (await client.query(text, params as unknown[])).rows,
    run: async (text, params) => {
      const result = await client.query(text, params as unknown[]);
      return { rows: result.rows, affectedRows: result.rowCount ?? undefined };
    },
    exec: async (script) => {
      await client.query(script);
    },
  });

  async function transaction<T>(fn: (tx: Connection) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let broken = false;
    // The pool listens for errors only on idle clients: a connection lost while checked out (a restart, a terminated
    // backend) would otherwise be an uncaught 'error' event and end the process. The query in flight fails anyway.
    const lost = () => {
      broken = true;
    };
    client.on('error', lost);
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
      client.off('error', lost);
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
    async listen(channel, onNotify) {
      // A dedicated connection: LISTEN lives on a session, and pooled sessions come and go.
      let client: pg.Client | undefined;
      let stopped = false;
      let retry: NodeJS.Timeout | undefined;
      const connect = async () => {
        const next = new pg.Client({ connectionString, application_name: 'atrium-listen' });
        next.on('notification', (message) => {
          if (message.channel === channel) onNotify(message.payload ?? '');
        });
        next.on('error', () => reconnect());
        await next.connect();
        await next.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
        client = next;
      };
      const reconnect = () => {
        client?.end().catch(() => {});
        client = undefined;
        if (stopped || retry) return;
        retry = setTimeout(() => {
          retry = undefined;
          connect().catch(reconnect);
        }, 1000);
      };
      await connect();
      return async () => {
        stopped = true;
        if (retry) clearTimeout(retry);
        await client?.end().catch(() => {});
      };
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      await pool.end();
    },
  };
}
