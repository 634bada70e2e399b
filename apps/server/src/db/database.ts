import { bindTx, type Tx } from './kysely';

/**
 * One open transaction of a backend, as raw SQL: the layer under Kysely. Only db/ (SET LOCAL, migrations, codegen) and
 * backup/ (the generic table copy) use it directly; everything else gets a `Tx` and writes `sql` templates instead.
 */
export interface Connection {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
  /** A query with the affected-row count Kysely reports for writes. */
  run(text: string, params: readonly unknown[]): Promise<{ rows: Record<string, unknown>[]; affectedRows?: number }>;
}

/** What a backend must provide: a transaction on one connection, and a lifecycle. */
export interface Backend {
  readonly kind: 'postgres' | 'pglite';
  transaction<T>(fn: (tx: Connection) => Promise<T>): Promise<T>;
  /** Runs `fn` while holding a lock that other processes/replicas on the same database also respect. */
  withExclusiveLock<T>(key: number, fn: (tx: Connection) => Promise<T>): Promise<T>;
  /** Calls `onNotify` for NOTIFYs on `channel` from any process (PostgreSQL); PGlite has one process, so never. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The role the application works as: not the owner of any table, no BYPASSRLS, so row level security always applies. */
export const APP_ROLE = 'atrium_app';
/** The retention job's role: may delete audit entries and old events, still bound to one tenant by the same policies. */
export const RETENTION_ROLE = 'atrium_retention';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class Database {
  constructor(readonly backend: Backend) {}

  get kind() {
    return this.backend.kind;
  }

  /**
   * The only way to reach tenant data: one transaction, as the app role, with `app.tenant_id` set for its duration.
   * Never call another Database method inside `fn` (PGlite has one connection; it would deadlock).
   */
  withTenant<T>(
    tenantId: string,
    fn: (tx: Tx) => Promise<T>,
    role: typeof APP_ROLE | typeof RETENTION_ROLE = APP_ROLE,
  ): Promise<T> {
    if (!UUID.test(tenantId)) throw new TypeError('withTenant needs a tenant UUID');
    return this.backend.transaction(async (tx) => {
      // Role and tenant are session settings Kysely has no builder for.
      await tx.query(`SET LOCAL ROLE ${role}`);
      await tx.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
      return fn(bindTx(tx));
    });
  }

  /** As the app role with no tenant: tenant tables look empty. For global tables (e.g. pairing codes, login lookup). */
  withoutTenant<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.backend.transaction(async (tx) => {
      await tx.query(`SET LOCAL ROLE ${APP_ROLE}`);
      return fn(bindTx(tx));
    });
  }

  /** As the connecting (owner) role. Only for migrations, first-start bootstrap and listing tenants for jobs. */
  asOwner<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.backend.transaction((tx) => fn(bindTx(tx)));
  }

  /** As the owner, holding a lock that other processes/replicas on the same database also respect. */
  withExclusiveLock<T>(key: number, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.backend.withExclusiveLock(key, (tx) => fn(bindTx(tx)));
  }

  /** Lists tenant ids so cross-tenant jobs can run `withTenant` for each one. */
  async tenantIds(): Promise<string[]> {
    const rows = await this.asOwner((tx) => tx.selectFrom('tenants').select('id').orderBy('created_at').execute());
    return rows.map((row) => row.id);
  }

  ping() {
    return this.backend.ping();
  }

  close() {
    return this.backend.close();
  }
}
