import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import pino, { type Logger } from 'pino';
import { attachProxiedAgentEndpoint } from '../src/agents/listener';
import { createApp } from '../src/app';
import { type AppContext, type ContextConfig, createContext } from '../src/context';
import { freshDatabase, type TestDatabase } from './db';

export interface TestServer extends TestDatabase {
  url: string;
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
  } = {},
): Promise<TestServer> {
  const database = await freshDatabase();
  const ctx = await createContext({
    config: { TRUSTED_PROXY: options.trustedProxy ?? [], PORT: 0, AGENT_CERT_DAYS: 365, ...options.config },
    db: database.db,
    logger: options.logger ?? pino({ level: 'silent' }),
    secretKey: randomBytes(32),
    ...(options.now ? { now: options.now } : {}),
  });
  await ctx.events.start();
  const app = createApp({ ctx });
  const server = http.createServer(app);
  attachProxiedAgentEndpoint(ctx, server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...database,
    ctx,
    app,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      await ctx.hub.close();
      server.closeAllConnections();
      await ctx.events.stop();
      await new Promise((resolve) => server.close(resolve));
      await database.close();
    },
  };
}
