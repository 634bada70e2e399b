import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express, Router } from 'express';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { AppContext } from './context';
import { errorHandler, refuseNonJsonBody, routeNotFound } from './http/errors';
import { createMetrics, type Metrics, measureRequests } from './http/metrics';
import { openApiRoute } from './http/openapi';
import { mountRoutes, type RouteDef } from './http/routes';
import { spa } from './http/static';
import { agentRoutes } from './routes/agents/router';
import { auditRoutes } from './routes/audit/router';
import { authRoutes } from './routes/auth/router';
import { eventRoutes } from './routes/events/router';
import { healthRouter } from './routes/health/router';
import { keyRoutes } from './routes/keys/router';
import { kioskRoutes } from './routes/kiosk/router';
import { meRoutes } from './routes/me/router';
import { messageRoutes } from './routes/messages/router';
import { privacyRoutes } from './routes/privacy/router';
import { siteRoutes } from './routes/sites/router';
import { ssoRoutes } from './routes/sso/router';
import { userRoutes } from './routes/users/router';
import { visitRoutes } from './routes/visits/router';

const appsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface AppDeps {
  ctx: AppContext;
  metrics?: Metrics;
  /** Built front-ends; defaults to apps/admin/dist and apps/kiosk/dist. */
  staticDirs?: { admin: string; kiosk: string };
  isShuttingDown?: () => boolean;
}

export const JSON_BODY_LIMIT = '64kb';
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Builds the HTTP app without listening, so tests drive it on an ephemeral port. */
export function createApp(deps: AppDeps): Express {
  const { ctx } = deps;
  const metrics = deps.metrics ?? createMetrics();
  const routes: RouteDef[] = [];
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', ctx.config.TRUSTED_PROXY.length > 0 ? ctx.config.TRUSTED_PROXY : false);
  app.set('query parser', 'simple');

  app.use(
    pinoHttp({
      logger: ctx.logger,
      genReqId(req: IncomingMessage, res) {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
      customLogLevel: (_req, res, err) =>
        res.statusCode === 503
          ? 'warn'
          : err || res.statusCode >= 500
            ? 'error'
            : res.statusCode >= 400
              ? 'warn'
              : 'info',
      serializers: {
        req: (req) => ({
          id: req.id,
          method: req.method,
          url: req.url?.split('?')[0],
          remoteAddress: req.remoteAddress,
        }),
        res: (res) => ({ statusCode: res.statusCode }),
      },
    }),
  );
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'default-src': ["'self'"],
          'img-src': ["'self'", 'data:', 'blob:'],
          'media-src': ["'self'", 'blob:'],
          'worker-src': ["'self'"],
          'connect-src': ["'self'"],
          'style-src': ["'self'", "'unsafe-inline'"],
          // Over plain HTTP (a LAN install without TLS) this directive would send every asset to a port nothing
          // answers, leaving a blank page; browsers need it only when the public address is https.
          'upgrade-insecure-requests': servedOverHttps(ctx.config.PUBLIC_URL) ? [] : null,
        },
      },
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.use(measureRequests(metrics));
  // Public keys for QR tokens, so kiosks and third parties can verify codes offline.
  app.get('/.well-known/jwks.json', async (_req, res) => {
    const jwks = await ctx.keys.publicQrJwks();
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(jwks);
  });
  // A plain GET on the agent endpoint (a browser, a misconfigured client) learns what it is.
  app.get('/agent/ws', (_req, res) => {
    res.status(426).json({
      error: { code: 'upgrade_required', message: 'Agents connect here with a WebSocket and a client certificate.' },
    });
  });
  app.use(
    healthRouter({
      db: ctx.db,
      metrics,
      logger: ctx.logger,
      metricsToken: ctx.config.METRICS_TOKEN,
      isShuttingDown: deps.isShuttingDown ?? (() => false),
    }),
  );

  const api = Router();
  api.use(express.json({ limit: JSON_BODY_LIMIT, strict: true, type: ['application/json', 'application/*+json'] }));
  api.use(refuseNonJsonBody);
  const groups = [
    authRoutes,
    ssoRoutes,
    meRoutes,
    userRoutes,
    siteRoutes,
    auditRoutes,
    visitRoutes,
    kioskRoutes,
    eventRoutes,
    privacyRoutes,
    agentRoutes,
    keyRoutes,
    messageRoutes,
  ];
  // The OpenAPI document describes the registry, itself included, once it is complete.
  mountRoutes(ctx, api, [...groups.flatMap((group) => group(ctx)), openApiRoute(routes)], routes);
  api.use(routeNotFound);
  app.locals.routes = routes;
  app.use('/api/v1', api);
  app.use('/api', routeNotFound);

  const dirs = deps.staticDirs ?? {
    admin: path.join(appsDir, 'admin', 'dist'),
    kiosk: path.join(appsDir, 'kiosk', 'dist'),
  };
  app.use('/kiosk', spa(dirs.kiosk, 'kiosk'));
  app.use('/', spa(dirs.admin, 'admin'));
  app.use(routeNotFound);
  app.use(errorHandler(ctx.logger));
  return app;
}

function servedOverHttps(publicUrl: string | undefined): boolean {
  return publicUrl !== undefined && new URL(publicUrl).protocol === 'https:';
}
