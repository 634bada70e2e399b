import { ssoCallbackQuerySchema, ssoExchangeRequestSchema, ssoInfoSchema, tokenPairSchema } from '@atrium/protocol';
import type { Request, Response } from 'express';
import {
  exchangeSsoCode,
  FLOW_COOKIE,
  FLOW_COOKIE_PATH,
  finishSsoSignIn,
  type Redirect,
  ssoInfo,
  startSsoSignIn,
} from '../../auth/oidc-flow';
import type { AppContext } from '../../context';
import { type RouteDef, route } from '../../http/routes';

function flowCookie(req: Request): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === FLOW_COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

function redirect(res: Response, to: Redirect) {
  if (to.cookie) {
    res.cookie(FLOW_COOKIE, to.cookie.value, {
      httpOnly: true,
      sameSite: 'lax',
      secure: to.cookie.secure,
      path: FLOW_COOKIE_PATH,
      maxAge: to.cookie.maxAgeMs,
    });
  } else {
    res.clearCookie(FLOW_COOKIE, { path: FLOW_COOKIE_PATH });
  }
  res.setHeader('Cache-Control', 'no-store');
  res.redirect(302, to.location);
}

/** Single sign-on with OpenID Connect: start, callback (browser redirects), and the admin app's code exchange. */
export function ssoRoutes(ctx: AppContext): RouteDef[] {
  return [
    route({
      method: 'get',
      path: '/auth/oidc',
      auth: { public: true },
      response: { status: 200, schema: ssoInfoSchema },
      handler(_req, res) {
        res.json(ssoInfo(ctx.oidc));
      },
    }),
    route({
      method: 'get',
      path: '/auth/oidc/start',
      auth: { public: true },
      response: { status: 302, description: 'To the IdP, or back to the sign-in page with #sso_error=<code>.' },
      async handler(_req, res) {
        redirect(res, await startSsoSignIn(ctx));
      },
    }),
    route({
      method: 'get',
      path: '/auth/oidc/callback',
      auth: { public: true },
      schemas: { query: ssoCallbackQuerySchema },
      response: { status: 302, description: 'To the admin app with #sso_code=<code> or #sso_error=<code>.' },
      async handler(req, res) {
        // openid-client reads the IdP's answer from the URL as registered (PUBLIC_URL), whatever proxy came between.
        const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?')) : '';
        const base = ctx.oidc?.settings.redirectUri ?? 'http://localhost/api/v1/auth/oidc/callback';
        redirect(res, await finishSsoSignIn(ctx, new URL(base + query), flowCookie(req), { ip: req.ip ?? null }));
      },
    }),
    route({
      method: 'post',
      path: '/auth/oidc/exchange',
      auth: { public: true },
      schemas: { body: ssoExchangeRequestSchema },
      response: { status: 200, schema: tokenPairSchema },
      async handler(_req, res, { body }) {
        res.setHeader('Cache-Control', 'no-store');
        res.json(await exchangeSsoCode(ctx, body.code));
      },
    }),
  ];
}
