import { Router } from 'express';
import type { Database } from '../../db';
import type { Metrics } from '../../http/metrics';

export function healthRouter(deps: { db: Database; metrics: Metrics; isShuttingDown: () => boolean }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    if (deps.isShuttingDown()) {
      res.status(503).json({ status: 'shutting_down', checks: { database: 'skipped' } });
      return;
    }
    try {
      await withTimeout(deps.db.ping(), 2000);
      res.json({ status: 'ready', checks: { database: 'ok' } });
    } catch (error) {
      res.status(503).json({ status: 'not_ready', checks: { database: (error as Error).message } });
    }
  });
  router.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return router;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
