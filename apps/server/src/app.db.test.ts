import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../test/db';
import { startTestServer, type TestServer } from '../test/http';
import { errorOf, jsonOf } from '../test/json';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s?.stop());

const post = (path: string, body: string, type = 'application/json') =>
  fetch(`${s.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });

describe(`HTTP basics on ${testBackend()}`, () => {
  it('answers /healthz and /readyz (which asks the database)', async () => {
    const health = await fetch(`${s.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${s.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok' } });
  });

  it('unknown API routes are 404 in the error shape', async () => {
    const res = await fetch(`${s.url}/api/v1/no-such-thing`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'No route for GET /no-such-thing.' } });
    const outside = await fetch(`${s.url}/api/v2/visits`);
    expect(outside.status).toBe(404);
  });

  it('malformed JSON is a 400, not a 500', async () => {
    const res = await post('/api/v1/visits', '{"siteId": ');
    expect(res.status).toBe(400);
    expect((await errorOf(res)).code).toBe('malformed_json');
  });

  it('a body over 64 KB is a 413', async () => {
    const res = await post('/api/v1/visits', JSON.stringify({ pad: 'x'.repeat(70_000) }));
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe('payload_too_large');
  });

  it('echoes a sane X-Request-Id and replaces an unsafe one', async () => {
    const kept = await fetch(`${s.url}/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    expect(kept.headers.get('x-request-id')).toBe('abc-123');
    const unsafe = `bad id with spaces ${'x'.repeat(80)}`;
    const replaced = await fetch(`${s.url}/healthz`, { headers: { 'x-request-id': unsafe } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends security headers and no framework banner', async () => {
    const res = await fetch(`${s.url}/healthz`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('exports Prometheus metrics labelled by route pattern to a direct local scraper', async () => {
    await fetch(`${s.url}/readyz`);
    const text = await (await fetch(`${s.url}/metrics`)).text();
    expect(text).toMatch(/atrium_http_requests_total\{method="GET",route="\/readyz",status="200"\} \d+/);
    expect(text).toContain('atrium_process_cpu_user_seconds_total');
  });

  it('without METRICS_TOKEN, metrics relayed by a proxy are refused', async () => {
    const res = await fetch(`${s.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(res.status).toBe(401);
    expect((await errorOf(res)).message).toMatch(/METRICS_TOKEN/);
  });

  it('with METRICS_TOKEN, metrics need it as a bearer token, from anywhere', async () => {
    const token = 'metrics-token-0123456789abcdef';
    const guarded = await startTestServer({ config: { METRICS_TOKEN: token } });
    try {
      expect((await fetch(`${guarded.url}/metrics`)).status).toBe(401);
      const wrong = await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${token}x` } });
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const right = await fetch(`${guarded.url}/metrics`, {
        headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': '203.0.113.9' },
      });
      expect(right.status).toBe(200);
      expect(await right.text()).toContain('atrium_http_requests_total');
    } finally {
      await guarded.stop();
    }
  });

  it('asks browsers to upgrade requests only when the public address is https', async () => {
    const csp = (res: Response) => res.headers.get('content-security-policy') ?? '';
    // A LAN install on plain HTTP: the directive would point every asset at a port nothing answers.
    expect(csp(await fetch(`${s.url}/healthz`))).not.toContain('upgrade-insecure-requests');
    for (const [publicUrl, upgrade] of [
      ['http://atrium.lan:8080', false],
      ['https://atrium.example.com', true],
    ] as const) {
      const other = await startTestServer({ config: { PUBLIC_URL: publicUrl } });
      try {
        const policy = csp(await fetch(`${other.url}/healthz`));
        expect(policy).toContain("default-src 'self'");
        expect(policy.includes('upgrade-insecure-requests'), publicUrl).toBe(upgrade);
      } finally {
        await other.stop();
      }
    }
  });

  it('serves the kiosk and admin shells with index.html uncached', async () => {
    for (const path of ['/kiosk/', '/kiosk/pair', '/', '/visits/123']) {
      const res = await fetch(`${s.url}${path}`, { headers: { accept: 'text/html' } });
      // 200 once the apps are built, 503 with a hint before; never a 404 or 500 for a navigation.
      expect([200, 503], path).toContain(res.status);
      expect(res.headers.get('cache-control'), path).toBe(res.status === 200 ? 'no-cache' : null);
    }
    const missingAsset = await fetch(`${s.url}/kiosk/assets/nope.js`);
    expect(missingAsset.status).toBe(404);
  });

  it('reports not ready once the database is gone', async () => {
    const other = await startTestServer();
    await other.db.close();
    const res = await fetch(`${other.url}/readyz`);
    expect(res.status).toBe(503);
    // The reason stays in the log: through the proxy this endpoint is public.
    expect(await jsonOf(res)).toEqual({ status: 'not_ready', checks: { database: 'unavailable' } });
    await other.stop().catch(() => {});
  });
});
