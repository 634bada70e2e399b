import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import pino, { type Logger } from 'pino';
import { attachProxiedAgentEndpoint } from '../src/agents/listener';
import { createApp } from '../src/app';
import { type AppContext, type ContextConfig, createContext } from '../src/context';
import { Database } from '../src/db/database';
import { openPostgres } from '../src/db/postgres';
import { freshDatabase, type TestDatabase } from './db';

export interface TestServer extends TestDatabase {
  url: string;
  /** The instance secret key, so a second replica can be started on the same database. */
  secretKey: Buffer;
  ctx: AppContext;
  app: Express;
  stop(): Promise<void>;
}

/** The real app on an ephemeral loopback port over a fresh database. */
export async function startTestServer(
  options: {
    trustedProxy?: string[];
    logger?: Logger;
    now?: () => Date;
    config?: Partial<Omit<ContextConfig, 'TRUSTED_PROXY'>>;
    /** Serve this database (another replica's) instead of a fresh one; `close` then only releases this handle. */
    database?: TestDatabase;
    secretKey?: Buffer;
    /** Listen here instead of an ephemeral port (when the URL must be known before start, e.g. PUBLIC_URL). */
    port?: number;
    /** Another replica of this server: same database and secret key (closing the database stays with the first). */
    replicaOf?: TestServer;
    /** Start message delivery (email, chat webhooks), retrying after `retryBaseMs`. */
    messages?: { retryBaseMs?: number; pollMs?: number };
  } = {},
): Promise<TestServer> {
  const { replicaOf } = options;
  const database = options.database ?? (replicaOf ? await replicaDatabase(replicaOf) : await freshDatabase());
  const secretKey = options.secretKey ?? replicaOf?.secretKey ?? randomBytes(32);
  const ctx = await createContext({
    config: {
      TRUSTED_PROXY: options.trustedProxy ?? [],
      PORT: 0,
      AGENT_CERT_DAYS: 365,
      KIOSK_HEARTBEAT_SECONDS: 30,
      ...options.config,
    },
    db: database.db,
    logger: options.logger ?? pino({ level: 'silent' }),
    secretKey,
    ...(options.now ? { now: options.now } : {}),
    ...(options.messages ? { delivery: options.messages } : {}),
  });
  await ctx.events.start();
  if (options.messages) ctx.messages.start();
  const app = createApp({ ctx });
  const server = http.createServer(app);
  attachProxiedAgentEndpoint(ctx, server);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...database,
    ctx,
    app,
    secretKey,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      await ctx.hub.close();
      await ctx.messages.stop();
      ctx.mailer?.close();
      server.closeAllConnections();
      await ctx.events.stop();
      await new Promise((resolve) => server.close(resolve));
      await database.close();
    },
  };
}

/**
 * A second replica of `of`: its own app, context and (on PostgreSQL) connection pool over the same database, as two
 * processes would have. PGlite has one process per database, so there it shares the handle.
 */
export function startReplica(
  of: TestServer,
  options: { trustedProxy?: string[]; now?: () => Date } = {},
): Promise<TestServer> {
  return startTestServer({ ...options, replicaOf: of });
}

/** PostgreSQL: a pool of the replica's own (NOTIFY crosses connections); PGlite: the one in-process handle. */
async function replicaDatabase(of: TestServer): Promise<TestDatabase> {
  if (!of.databaseUrl) return { db: of.db, close: async () => {} };
  const db = new Database(await openPostgres(of.databaseUrl, { max: 4 }));
  return { db, databaseUrl: of.databaseUrl, close: () => db.close() };
}
