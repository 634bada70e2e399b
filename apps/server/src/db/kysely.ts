import {
  type CompiledQuery,
  type DatabaseConnection,
  DefaultQueryExecutor,
  type Dialect,
  type Driver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  SingleConnectionProvider,
} from 'kysely';
import type { Connection } from './database';
import type { DB } from './schema';

/** What services get inside `withTenant` & co: Kysely bound to that one transaction (raw SQL via `sql` templates). */
export type Tx = Kysely<DB>;

const nested = () => {
  throw new Error('Already inside a transaction: use the tx you were given, not tx.transaction()');
};

// The bound connection is already inside the backend's transaction: Kysely may run queries on it, never open another.
const driver: Driver = {
  init: async () => {},
  acquireConnection: nested,
  beginTransaction: nested,
  commitTransaction: nested,
  rollbackTransaction: nested,
  releaseConnection: async () => {},
  destroy: async () => {},
};

const dialect: Dialect = {
  createAdapter: () => new PostgresAdapter(),
  createDriver: () => driver,
  createQueryCompiler: () => new PostgresQueryCompiler(),
  createIntrospector: (db) => new PostgresIntrospector(db),
};
// Stateless between calls (compileQuery is synchronous), so one of each serves every transaction.
const adapter = dialect.createAdapter();
const compiler = dialect.createQueryCompiler();

function databaseConnection(connection: Connection): DatabaseConnection {
  return {
    async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      const { rows, affectedRows } = await connection.run(query.sql, query.parameters);
      return {
        rows: rows as R[],
        ...(affectedRows === undefined ? {} : { numAffectedRows: BigInt(affectedRows) }),
      };
    },
    // biome-ignore lint/correctness/useYield: streaming is not supported on a bound transaction
    async *streamQuery() {
      throw new Error('Streaming is not supported');
    },
  };
}

/** Binds Kysely to one already-open transaction; cheap enough to do for every transaction. */
export function bindTx(connection: Connection): Tx {
  const executor = new DefaultQueryExecutor(
    compiler,
    adapter,
    new SingleConnectionProvider(databaseConnection(connection)),
    [],
  );
  return new Kysely<DB>({ config: { dialect }, dialect, driver, executor });
}
