import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { startTestServer, TestAgent, type TestServer, testBackend } from '@atrium/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCaddy, startCaddy } from '../fixtures/caddy';
import { seedOffice } from './office';

// The project's Caddyfile in a real Caddy (Debian's), on loopback, with Caddy's internal CA standing in for ACME.
let s: TestServer;
let caddy: RunningCaddy;
let dir: string;
let httpPort: number;
let httpsPort: number;
let caddyRoot: string;
let bundle: { cert: string; key: string; ca: string };

beforeAll(async () => {
  s = await startTestServer({ trustedProxy: ['127.0.0.1'] });
  bundle = (await seedOffice(s, { email: 'caddy@example.com', agentName: 'Via Caddy' })).registration.bundle;

  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-caddy-'));
  fs.writeFileSync(path.join(dir, 'ca.pem'), s.ctx.ca.certPem);
  caddy = await startCaddy({
    dir,
    upstream: new URL(s.url).host,
    caFile: path.join(dir, 'ca.pem'),
    tls: 'internal',
  });
  ({ httpPort, httpsPort, internalRoot: caddyRoot } = caddy);
}, 60_000);

afterAll(async () => {
  await caddy?.stop();
  await s?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function handshake(options: tls.ConnectionOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port: httpsPort,
      servername: 'localhost',
      ca: fs.existsSync(caddyRoot) ? fs.readFileSync(caddyRoot) : undefined,
      ...options,
    });
    socket.once('secureConnect', () => {
      const protocol = socket.getProtocol() ?? '';
      socket.end();
      resolve(protocol);
    });
    socket.once('error', reject);
  });
}

/** HTTPS through Caddy, trusting Caddy's internal root. */
function get(pathname: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port: httpsPort,
        path: pathname,
        servername: 'localhost',
        ca: fs.readFileSync(caddyRoot),
        headers: { host: `localhost:${httpsPort}`, ...headers },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe(`Caddy in front of the server (${testBackend()})`, () => {
  it('redirects HTTP to HTTPS', async () => {
    // Node's fetch will not set Host, so a plain request with the Host a browser would send.
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: httpPort, path: '/kiosk/', headers: { host: 'localhost' } }, resolve)
        .on('error', reject);
    });
    res.resume();
    expect(res.statusCode).toBe(308);
    // On 443 the URL carries no port; Caddy 2.6 leaves a moved https_port out of the redirect as well.
    expect(res.headers.location).toBe('https://localhost/kiosk/');
  });

  it('serves the API and the kiosk through TLS', async () => {
    const health = await get('/healthz');
    expect([health.status, JSON.parse(health.body)]).toEqual([200, { status: 'ok' }]);
    const jwks = await get('/.well-known/jwks.json');
    expect(JSON.parse(jwks.body).keys.length).toBeGreaterThan(0);
    const kiosk = await get('/kiosk/', { accept: 'text/html' });
    expect([200, 503]).toContain(kiosk.status);
  });

  it('keeps metrics and database detail from the outside world', async () => {
    // Caddy reaches the server over loopback, so only its forwarding header tells a local scraper from the internet.
    const metrics = await get('/metrics');
    expect(metrics.status).toBe(401);
    expect(metrics.body).not.toContain('atrium_http_requests_total');
    const ready = await get('/readyz');
    expect([ready.status, JSON.parse(ready.body)]).toEqual([200, { status: 'ready', checks: { database: 'ok' } }]);
  });

  it('accepts TLS 1.2 and 1.3 and refuses 1.1', async () => {
    expect(await handshake({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' })).toBe('TLSv1.2');
    expect(await handshake({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' })).toBe('TLSv1.3');
    await expect(
      handshake({ minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }),
    ).rejects.toThrow(/protocol version|unsupported protocol|wrong version|no protocols available/i);
  });

  it('an agent with its client certificate gets its reconciliation; without one, or with a forged header, it is refused', async () => {
    const url = `wss://localhost:${httpsPort}/agent/ws`;
    const caddyCa = fs.readFileSync(caddyRoot, 'utf8');
    const agent = TestAgent.direct(url, { cert: bundle.cert, key: bundle.key, ca: caddyCa });
    await agent.opened;
    agent.sendStatus();
    const reconcile = await agent.next('vouchers.reconcile');
    expect(Array.isArray(reconcile.vouchers)).toBe(true);
    agent.close();

    const anonymous = TestAgent.direct(url, { ca: caddyCa });
    await expect(anonymous.opened).rejects.toThrow(/401/);
    const forgedHeader = new TestAgent(
      new (await import('ws')).default(url, {
        ca: caddyCa,
        headers: { 'X-Client-Cert': bundle.cert.replace(/-----[^-]+-----|\s/g, '') },
      } as import('ws').ClientOptions),
    );
    await expect(forgedHeader.opened).rejects.toThrow(/401/);
  });
});
