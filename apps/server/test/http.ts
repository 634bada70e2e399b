import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createApp } from '../src/app';
import { freshDatabase, type TestDatabase } from './db';

export interface TestServer extends TestDatabase {
  url: string;
  stop(): Promise<void>;
}

/** The real app on an ephemeral loopback port over a fresh database. */
export async function startTestServer(options: { trustedProxy?: string[] } = {}): Promise<TestServer> {
  const database = await freshDatabase();
  const app = createApp({
    config: { TRUSTED_PROXY: options.trustedProxy ?? [] },
    db: database.db,
    logger: pino({ level: 'silent' }),
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...database,
    url: `http://127.0.0.1:${port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await database.close();
    },
  };
}
