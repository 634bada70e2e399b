import { randomUUID } from 'node:crypto';
import { signVisitToken } from '@atrium/qr-token';
import express from 'express';
import { generateKeyPair, SignJWT } from 'jose';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../test/db';
import { seedTenant } from '../../test/fixtures';
import { startTestServer, type TestServer } from '../../test/http';
import { TokenService } from '../auth/tokens';
import type { CreatedTenant } from '../tenancy/tenants';
import { insertUser, ROLES, type Role } from '../tenancy/users';
import { mountRoutes, type RouteDef } from './routes';

let s: TestServer;
let tenant: CreatedTenant;
const creds: Record<string, string | undefined> = {};
const roleCreds: Record<Role, string> = {} as Record<Role, string>;

beforeAll(async () => {
  s = await startTestServer();
  tenant = await seedTenant(s.db, 'matrix');
  const { ctx } = s;
  for (const role of ROLES) {
    const userId = await s.db.withTenant(tenant.tenantId, (tx) =>
      insertUser(tx, tenant.tenantId, {
        email: `${role}-${randomUUID()}@example.test`,
        name: role,
        passwordHash: 'unused',
        roles: [{ role, siteId: role === 'tenant_admin' ? null : tenant.siteId }],
      }),
    );
    roleCreds[role] = await ctx.tokens.signAccessToken({
      userId,
      tenantId: tenant.tenantId,
      roles: [{ role, siteId: role === 'tenant_admin' ? null : tenant.siteId }],
    });
  }
  const admin = {
    userId: tenant.adminUserId,
    tenantId: tenant.tenantId,
    roles: [{ role: 'tenant_admin' as const, siteId: null }],
  };

  // A paired kiosk's device token.
  const kiosk = await s.db.withTenant(tenant.tenantId, (tx) =>
    tx.selectFrom('kiosks').select('id').limit(1).executeTakeFirstOrThrow(),
  );
  const device = await ctx.tokens.signDeviceToken({
    kioskId: kiosk.id,
    tenantId: tenant.tenantId,
    siteId: tenant.siteId,
  });
  await s.db.withTenant(tenant.tenantId, (tx) =>
    tx.updateTable('kiosks').set({ token_jti: device.jti }).where('id', '=', kiosk.id).execute(),
  );
  creds.kiosk = device.token;

  creds.none = undefined;
  creds.expired = await new TokenService(ctx.keys, () => new Date(Date.now() - 16 * 60_000)).signAccessToken(admin);
  creds.mfa = await ctx.tokens.signMfaToken(admin);

  const { kid } = ctx.keys.signingKey('access');
  const stranger = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  creds.wrongKey = await new SignJWT({
    token_type: 'user',
    tid: tenant.tenantId,
    roles: [{ role: 'tenant_admin', site: null }],
  })
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'at+jwt' })
    .setIssuer('atrium')
    .setAudience('atrium')
    .setSubject(tenant.adminUserId)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(stranger.privateKey);

  const good = await ctx.tokens.signAccessToken(admin);
  const [, payload] = good.split('.');
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  creds.algNone = `${b64({ alg: 'none', kid, typ: 'at+jwt' })}.${payload}.`;
  const publicJwk = ctx.keys.jwks('access').keys.find((key) => key.kid === kid)!;
  creds.hs256 = await new SignJWT(JSON.parse(Buffer.from(payload!, 'base64url').toString()))
    .setProtectedHeader({ alg: 'HS256', kid, typ: 'at+jwt' })
    .sign(Buffer.from(publicJwk.x!, 'base64url'));
  creds.tampered = `${good.slice(0, good.lastIndexOf('.') + 1)}${'A'.repeat(86)}`;

  const qr = await ctx.keys.qrSigningKey(tenant.tenantId);
  creds.qrToken = await signVisitToken({
    privateKey: qr.privateKey,
    kid: qr.kid,
    issuer: 'atrium',
    siteId: tenant.siteId,
    visitId: randomUUID(),
    jti: randomUUID(),
    notBefore: new Date(Date.now() - 60_000),
    expiresAt: new Date(Date.now() + 3_600_000),
    displayName: 'Ada L.',
  });
});
afterAll(() => s?.stop());

const routes = () => s.app.locals.routes as RouteDef[];
const BAD = ['none', 'expired', 'wrongKey', 'algNone', 'hs256', 'tampered', 'qrToken', 'mfa'] as const;

async function call(def: RouteDef, token: string | undefined) {
  const path = def.path.replace(/:(\w+)/g, () => randomUUID());
  const res = await fetch(`${s.url}/api/v1${path}`, {
    method: def.method.toUpperCase(),
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(def.method === 'get' ? {} : { body: '{}' }),
  });
  const body = res.headers.get('content-type')?.includes('json')
    ? ((await res.json()) as { error?: { code: string } })
    : {};
  return { status: res.status, code: body.error?.code };
}

describe(`every route × every credential on ${testBackend()}`, () => {
  it('has routes to walk', () => {
    expect(routes().length).toBeGreaterThanOrEqual(10);
  });

  it('answers as each route declares', async () => {
    const failures: string[] = [];
    for (const def of routes()) {
      const name = `${def.method.toUpperCase()} ${def.path}`;
      if ('public' in def.auth) {
        for (const cred of [...BAD, 'kiosk'] as const) {
          const { status } = await call(def, creds[cred]);
          if (status === 403 || status >= 500) failures.push(`${name} with ${cred}: ${status}`);
        }
        continue;
      }
      const spec = def.auth;
      for (const cred of BAD) {
        const { status } = await call(def, creds[cred]);
        if (status !== 401) failures.push(`${name} with ${cred}: ${status}, expected 401`);
      }
      const kiosk = await call(def, creds.kiosk);
      const kioskAllowed = spec.tokens.includes('kiosk');
      if (kioskAllowed ? [401, 403].includes(kiosk.status) : kiosk.status !== 403) {
        failures.push(`${name} with kiosk: ${kiosk.status}`);
      }
      for (const role of ROLES) {
        const { status, code } = await call(def, roleCreds[role]);
        const allowed = spec.tokens.includes('user') && (!spec.roles || spec.roles.includes(role));
        if (allowed ? status === 401 || (status === 403 && code !== 'forbidden') || status >= 500 : status !== 403) {
          failures.push(`${name} as ${role}: ${status} ${code ?? ''}, expected ${allowed ? 'allowed' : '403'}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('no route reaches the app without going through the registry', () => {
    const registered = new Set(routes().map((def) => `${def.method} /api/v1${def.path}`));
    const unprotected = new Set([
      'get /healthz',
      'get /readyz',
      'get /metrics',
      'get /{*splat}',
      'get /.well-known/jwks.json',
      'get /agent/ws',
    ]);
    const found: string[] = [];
    type Layer = {
      route?: { path: string; methods: Record<string, boolean> };
      handle?: { stack?: Layer[] };
      matchers?: unknown;
    };
    const walk = (stack: Layer[], prefix: string) => {
      for (const layer of stack) {
        if (layer.route) {
          for (const method of Object.keys(layer.route.methods)) found.push(`${method} ${prefix}${layer.route.path}`);
        } else if (layer.handle?.stack) {
          // Mounted routers: the API router is the one whose routes carry /auth, /users, ...
          const isApi = layer.handle.stack.some((l) => l.route?.path === '/auth/login');
          walk(layer.handle.stack, isApi ? '/api/v1' : prefix);
        }
      }
    };
    walk((s.app as unknown as { router: { stack: Layer[] } }).router.stack, '');
    const stray = found.filter((entry) => !registered.has(entry) && !unprotected.has(entry));
    expect(found.length).toBeGreaterThan(registered.size);
    expect(stray).toEqual([]);
  });

  it('refuses to mount a route that declares no auth', () => {
    const forgetful = { method: 'get', path: '/oops', handler: () => {} } as unknown as RouteDef;
    expect(() => mountRoutes(s.ctx, express.Router(), [forgetful], [])).toThrow(/declares no auth/);
  });

  it('a revoked kiosk token is refused', async () => {
    await s.db.withTenant(tenant.tenantId, (tx) => tx.updateTable('kiosks').set({ revoked_at: sql`now()` }).execute());
    const kioskRoute = routes().find((def) => !('public' in def.auth) && def.auth.tokens.includes('kiosk'));
    if (kioskRoute) {
      const { status, code } = await call(kioskRoute, creds.kiosk);
      expect([status, code]).toEqual([401, 'kiosk_revoked']);
    }
    const res = await fetch(`${s.url}/api/v1/me`, { headers: { authorization: `Bearer ${creds.kiosk}` } });
    expect(res.status).toBe(401);
  });
});
