import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../../test/db';
import { startTestServer, type TestServer } from '../../../test/http';
import { errorOf, jsonOf } from '../../../test/json';

// What a load balancer and a Prometheus scraper see: liveness, readiness and who may read /metrics.
const TOKEN = 'metrics-token-for-the-test-0123456789';
let open: TestServer;
let guarded: TestServer;
beforeAll(async () => {
  open = await startTestServer();
  guarded = await startTestServer({ config: { METRICS_TOKEN: TOKEN } });
});
afterAll(async () => {
  await open?.stop();
  await guarded?.stop();
});

describe(`health and metrics on ${testBackend()}`, () => {
  it('answers /healthz and /readyz with their status shapes', async () => {
    const live = await fetch(`${open.url}/healthz`);
    expect([live.status, await jsonOf(live)]).toEqual([200, { status: 'ok' }]);
    const ready = await fetch(`${open.url}/readyz`);
    expect([ready.status, await jsonOf(ready)]).toEqual([200, { status: 'ready', checks: { database: 'ok' } }]);
  });

  it('serves /metrics to a direct local connection and refuses one relayed by a proxy', async () => {
    const direct = await fetch(`${open.url}/metrics`);
    expect(direct.status).toBe(200);
    expect(direct.headers.get('content-type')).toContain('text/plain');
    expect(await direct.text()).toContain('# TYPE');
    const relayed = await fetch(`${open.url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(relayed.status).toBe(401);
    expect(relayed.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    expect((await errorOf(relayed)).code).toBe('unauthorized');
  });

  it('with METRICS_TOKEN, serves /metrics only to that bearer token', async () => {
    const none = await fetch(`${guarded.url}/metrics`);
    expect([none.status, (await errorOf(none)).code]).toEqual([401, 'unauthorized']);
    const wrong = await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${guarded.url}/metrics`, {
      headers: { authorization: `Bearer ${TOKEN}`, 'x-forwarded-for': '203.0.113.9' },
    });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain('# TYPE');
  });
});
