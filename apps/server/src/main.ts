import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { attachProxiedAgentEndpoint, startDirectAgentListener } from './agents/listener';
import { AGENT_URL_HINT, agentServerUrl } from './agents/urls';
import { createApp } from './app';
import { serveBackupRequests } from './backup/server-side';
import { bootstrap } from './bootstrap';
import { ConfigError, loadConfig } from './config';
import { createContext } from './context';
import { loadSecretKey, SecretBoxError } from './crypto/secret-box';
import { openDatabase } from './db';
import { DataDirLockedError } from './db/lock';
import { MigrationError, migrate } from './db/migrate';
import { startJobs } from './jobs';
import { createLogger } from './logger';

/** Start-up failures a person can fix get one line on stderr and exit code 1, never a stack trace. */
function fail(message: string): never {
  process.stderr.write(`atrium: ${message}\n`);
  process.exit(1);
}

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(`configuration: ${error.message}`);
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL);

  const db = await openDatabase(config).catch((error: Error & { code?: string }) => {
    if (error instanceof DataDirLockedError) fail(error.message);
    if (config.DATABASE_URL) {
      const url = new URL(config.DATABASE_URL);
      fail(`cannot connect to the database at DATABASE_URL (${url.hostname}:${url.port || 5432}): ${error.message}`);
    }
    fail(`cannot open the embedded database in DATA_DIR ${config.DATA_DIR}: ${error.message}`);
  });

  logger.info({ backend: db.kind }, 'applying migrations');
  try {
    const applied = await migrate(db.backend);
    logger.info({ applied }, applied.length > 0 ? 'migrations applied' : 'database schema is up to date');
  } catch (error) {
    await db.close().catch(() => {});
    if (error instanceof MigrationError) fail(error.message);
    throw error;
  }

  const first = await bootstrap(db, config);
  let shuttingDown = false;
  // On PostgreSQL, event delivery gets its own two connections; PGlite is one process with one connection anyway.
  const eventsDb = config.DATABASE_URL ? await openDatabase(config, { poolSize: 2 }) : db;
  const ctx = await createContext({
    config,
    db,
    eventsDb,
    logger,
    secretKey: loadSecretKey({ configured: config.ATRIUM_SECRET_KEY, dataDir: config.DATA_DIR }),
  }).catch(async (error: Error) => {
    await db.close().catch(() => {});
    if (error instanceof SecretBoxError) fail(error.message);
    throw error;
  });
  await ctx.events.start();
  ctx.messages.start();
  const stopJobs = startJobs(ctx);
  // `npm run backup` cannot open the embedded database while this process owns it, so it asks us (SIGUSR2).
  const backend = db.backend;
  if ('dump' in backend && typeof backend.dump === 'function') {
    serveBackupRequests(backend as typeof backend & { dump(): Promise<Blob> }, config.DATA_DIR, logger);
  }
  const app = createApp({ ctx, isShuttingDown: () => shuttingDown });
  const server = http.createServer(app);
  attachProxiedAgentEndpoint(ctx, server);
  const caFile = config.AGENT_CA_CERT_FILE ?? path.join(config.DATA_DIR, 'ca.pem');
  try {
    fs.mkdirSync(path.dirname(caFile), { recursive: true });
    fs.writeFileSync(caFile, ctx.ca.certPem);
  } catch (error) {
    fail(`cannot write the agent CA certificate to ${caFile} (AGENT_CA_CERT_FILE): ${(error as Error).message}`);
  }
  let direct: Awaited<ReturnType<typeof startDirectAgentListener>> | undefined;
  if (config.AGENT_TLS_PORT) {
    const hostnames = [
      ...new Set([config.PUBLIC_URL ? new URL(config.PUBLIC_URL).hostname : 'localhost', 'localhost', '127.0.0.1']),
    ];
    direct = await startDirectAgentListener(ctx, { port: config.AGENT_TLS_PORT, host: config.HOST, hostnames }).catch(
      (error: NodeJS.ErrnoException) =>
        fail(`cannot listen for agents on AGENT_TLS_PORT ${config.AGENT_TLS_PORT}: ${error.code ?? error.message}`),
    );
    logger.info({ port: config.AGENT_TLS_PORT }, 'direct agent listener (mTLS) ready');
  }
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') fail(`port ${config.PORT} is already in use; set PORT to another port`);
    if (error.code === 'EACCES') fail(`no permission to listen on port ${config.PORT}; set PORT above 1024`);
    fail(`cannot listen on ${config.HOST}:${config.PORT}: ${error.message}`);
  });
  server.listen(config.PORT, config.HOST, () => {
    const { port } = server.address() as AddressInfo;
    const base = (config.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, '');
    logger.info({ port, backend: db.kind }, 'listening');
    const lines = [
      '',
      `Atrium is running (${db.kind === 'pglite' ? `embedded database in ${config.DATA_DIR}` : 'PostgreSQL'}).`,
    ];
    const agents = agentServerUrl(config);
    lines.push(`  Admin:  ${base}/`, `  Kiosk:  ${base}/kiosk/`, `  Agents: ${agents ?? AGENT_URL_HINT}`);
    if (first.created && 'generatedPassword' in first && first.generatedPassword) {
      lines.push(`  Sign in as ${first.email} with password ${first.generatedPassword}`);
      lines.push('  This password is shown only once. Change it after signing in.');
    } else if (first.created) {
      lines.push(`  Sign in as ${first.email} with the password from ATRIUM_ADMIN_PASSWORD.`);
    } else {
      lines.push(`  Sign in as ${first.email} (the password was printed at first start).`);
    }
    process.stdout.write(`${lines.join('\n')}\n\n`);
  });

  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
    const force = setTimeout(() => {
      logger.warn('requests still open at the shutdown timeout; closing them');
      server.closeAllConnections();
    }, config.SHUTDOWN_TIMEOUT_MS);
    force.unref();
    direct?.server.close();
    void ctx.hub.close();
    server.close(async () => {
      stopJobs();
      await ctx.messages.stop().catch(() => {});
      ctx.mailer?.close();
      await ctx.events.stop().catch(() => {});
      if (eventsDb !== db) await eventsDb.close().catch(() => {});
      await db.close().catch((error) => logger.error({ err: error }, 'closing the database failed'));
      logger.info('stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error) => {
  process.stderr.write(`atrium: start-up failed: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
