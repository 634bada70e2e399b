import { timingSafeEqual } from 'node:crypto';
import { type Request, Router } from 'express';
import type { Logger } from 'pino';
import type { Database } from '../../db';
import type { Metrics } from '../../http/metrics';

export function healthRouter(deps: {
  db: Database;
  metrics: Metrics;
  logger: Logger;
  /** Bearer token that opens /metrics; unset, only direct local connections are answered. */
  metricsToken: string | undefined;
  isShuttingDown: () => boolean;
}): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Public through the proxy, so it says only whether the database answers; the reason goes to the log.
  router.get('/readyz', async (_req, res) => {
    if (deps.isShuttingDown()) {
      res.status(503).json({ status: 'shutting_down', checks: { database: 'skipped' } });
      return;
    }
    try {
      await withTimeout(deps.db.ping(), 2000);
      res.json({ status: 'ready', checks: { database: 'ok' } });
    } catch (error) {
      deps.logger.warn({ err: error }, 'readiness check: the database does not answer');
      res.status(503).json({ status: 'not_ready', checks: { database: 'unavailable' } });
    }
  });
  router.get('/metrics', async (req, res) => {
    if (!metricsAllowed(req, deps.metricsToken)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      res.status(401).json({
        error: {
          code: 'unauthorized',
          message: deps.metricsToken
            ? 'Metrics need the METRICS_TOKEN as a bearer token.'
            : 'Metrics are answered only on a direct local connection; set METRICS_TOKEN to scrape them from elsewhere.',
        },
      });
      return;
    }
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return router;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function metricsAllowed(req: Request, token: string | undefined): boolean {
  if (token) {
    const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!match) return false;
    const given = Buffer.from(match[1]!);
    const expected = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
  // A request relayed by a proxy on the same host also arrives from loopback; its forwarding header gives it away.
  const relayed = req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined;
  return !relayed && LOOPBACK.has(req.socket.remoteAddress ?? '');
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
