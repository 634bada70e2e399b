/**
 * The core journey with no way out of the machine: run by airgap.process.test.ts inside a fresh network namespace that
 * has only a loopback interface, so any outbound call (DNS, ACME, a CDN font, a licence check) would fail the step that
 * needs it. Starts the real server on the embedded database and the real agent from the seed's environment variables,
 * then: sign in, sign in again through single sign-on with an OpenID Provider on loopback, register a visit, pair a
 * kiosk, check in, and log on to the WiFi with radclient. Prints one JSON line per step and exits non-zero on the first
 * failure.
 */

import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { radclient } from '@atrium/agent/testing/radius';
import { fragmentOf, SsoBrowser, startTestIdp } from '@atrium/server/testing/oidc';
import { freePort, type ServerProcess, spawnServer } from '@atrium/server/testing/process';

const PASSWORD = 'air gapped password 1';
const SECRET = 'airgap-radius-secret';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-airgap-'));
const children: Array<{ kill: (signal: NodeJS.Signals) => boolean }> = [];

function step(name: string, detail: Record<string, unknown> = {}) {
  process.stdout.write(`${JSON.stringify({ step: name, ...detail })}\n`);
}

async function call(base: string, method: string, p: string, body?: unknown, token?: string) {
  const res = await fetch(`${base}/api/v1${p}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const body_ = (await res.json()) as Record<string, unknown>;
  if (res.status >= 400) throw new Error(`${method} ${p} answered ${res.status}: ${JSON.stringify(body_)}`);
  return body_;
}

async function main() {
  const interfaces = Object.keys(os.networkInterfaces());
  step('network', { interfaces });
  if (interfaces.some((name) => name !== 'lo')) throw new Error(`not isolated: interfaces ${interfaces.join(', ')}`);

  const [port, agentTlsPort, radiusPort, acctPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const base = `http://127.0.0.1:${port}`;
  // The company's IdP on the local network: here an OpenID Provider on loopback.
  const idp = await startTestIdp({ redirectUris: [`${base}/api/v1/auth/oidc/callback`] });
  children.push({
    kill: () => {
      void idp.stop();
      return true;
    },
  });
  idp.accounts.set('rita', { email: 'rita@example.com', groups: ['lobby'] });
  const server: ServerProcess = spawnServer({
    PORT: String(port),
    AGENT_TLS_PORT: String(agentTlsPort),
    DATA_DIR: path.join(dir, 'data'),
    ATRIUM_ADMIN_PASSWORD: PASSWORD,
    LOG_LEVEL: 'warn',
    PUBLIC_URL: base,
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: idp.clientId,
    OIDC_CLIENT_SECRET: idp.clientSecret,
    OIDC_SCOPES: 'openid email profile groups',
    OIDC_ROLE_MAP: JSON.stringify({ lobby: 'receptionist@Main office' }),
  });
  children.push(server.child);
  await server.waitFor('Kiosk:', 90_000);
  step('server started', { database: 'pglite' });

  for (const page of ['/', '/kiosk/']) {
    const res = await fetch(`${base}${page}`);
    const html = await res.text();
    // Every script, style and font the apps load comes from this origin.
    const external = [...html.matchAll(/(?:src|href)="(https?:\/\/[^"]+)"/g)].map((m) => m[1]);
    if (res.status !== 200 || external.length > 0) throw new Error(`${page}: ${res.status}, external ${external}`);
  }
  step('apps served', { pages: ['/', '/kiosk/'] });

  const login = await call(base, 'POST', '/auth/login', { email: 'admin@localhost', password: PASSWORD });
  const token = login.accessToken as string;
  const [site] = (await call(base, 'GET', '/sites', undefined, token)) as unknown as Array<{ id: string }>;
  step('signed in');

  const browser = new SsoBrowser();
  const callback = await browser.signInAtIdp(`${base}/api/v1/auth/oidc/start`, 'rita', {
    callbackPrefix: `${base}/api/v1/auth/oidc/callback`,
  });
  const code = fragmentOf((await browser.request(callback)).location).sso_code;
  if (!code) throw new Error('single sign-on gave no code');
  const sso = await call(base, 'POST', '/auth/oidc/exchange', { code });
  const ssoRoles = (sso.user as { roles: Array<{ role: string }> }).roles.map((grant) => grant.role);
  step('signed in with single sign-on', { roles: ssoRoles });

  const visit = await call(
    base,
    'POST',
    '/visits',
    {
      siteId: site!.id,
      visitor: { name: 'Offline Visitor' },
      expectedArrival: new Date().toISOString(),
      expectedDeparture: new Date(Date.now() + 3600_000).toISOString(),
    },
    token,
  );
  step('visit registered', { visitId: visit.id });

  const reg = (await call(base, 'POST', '/agents', { siteId: site!.id, name: 'Air-gapped agent' }, token)) as {
    bundle: { cert: string; key: string; ca: string };
    env: { ATRIUM_TENANT_ID: string; ATRIUM_SITE_ID: string };
  };
  for (const [name, pem] of Object.entries({
    'agent.crt': reg.bundle.cert,
    'agent.key': reg.bundle.key,
    'ca.crt': reg.bundle.ca,
  }))
    fs.writeFileSync(path.join(dir, name), pem, { mode: 0o600 });
  // The production bundle (apps/agent/build.mjs) when the test made one, else the sources.
  const agentArgs = process.env.AGENT_BUNDLE
    ? [process.env.AGENT_BUNDLE]
    : ['--import', 'tsx', path.resolve('apps/agent/src/main.ts')];
  const agent = spawn(process.execPath, agentArgs, {
    env: {
      PATH: process.env.PATH,
      ATRIUM_SERVER_URL: `wss://localhost:${agentTlsPort}/agent/ws`,
      ATRIUM_TENANT_ID: reg.env.ATRIUM_TENANT_ID,
      ATRIUM_SITE_ID: reg.env.ATRIUM_SITE_ID,
      RADIUS_SECRET: SECRET,
      RADIUS_LISTEN_ADDR: `127.0.0.1:${radiusPort}`,
      RADIUS_ACCT_LISTEN_ADDR: `127.0.0.1:${acctPort}`,
      TLS_CERT_FILE: path.join(dir, 'agent.crt'),
      TLS_KEY_FILE: path.join(dir, 'agent.key'),
      TLS_CA_FILE: path.join(dir, 'ca.crt'),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(agent);
  let agentLog = '';
  agent.stdout.on('data', (chunk) => {
    agentLog += chunk;
  });
  agent.stderr.on('data', (chunk) => {
    agentLog += chunk;
  });
  const connected = Date.now() + 30_000;
  for (;;) {
    const agents = (await call(base, 'GET', '/agents', undefined, token)) as unknown as Array<{ connected: boolean }>;
    if (agents.some((a) => a.connected)) break;
    if (Date.now() > connected) throw new Error(`agent never connected: ${agentLog.slice(-800)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  step('agent connected');

  const pairing = await call(base, 'POST', '/kiosk/pairing', {});
  await call(base, 'POST', '/kiosks/pair', { code: pairing.code, siteId: site!.id, name: 'Lobby' }, token);
  const kiosk = (await call(base, 'POST', '/kiosk/pairing/token', { deviceCode: pairing.deviceCode }))
    .deviceToken as string;
  const config = await call(base, 'GET', '/kiosk/config', undefined, kiosk);
  step('kiosk paired', { keys: ((config.jwks as { keys?: unknown[] } | undefined)?.keys ?? []).length });

  const checkIn = await call(
    base,
    'POST',
    '/kiosk/check-ins',
    { token: visit.qrToken, idempotencyKey: randomUUID(), occurredAt: new Date().toISOString() },
    kiosk,
  );
  const voucher = checkIn.voucher as { username: string; password: string };
  step('checked in', { voucher: Boolean(voucher?.username) });

  let reply: string | undefined;
  const until = Date.now() + 10_000;
  while (reply !== 'Access-Accept' && Date.now() < until) {
    const answer = await radclient(
      radiusPort,
      'auth',
      SECRET,
      `User-Name = "${voucher.username}", User-Password = "${voucher.password}", NAS-IP-Address = 127.0.0.1, Message-Authenticator = 0x00`,
    );
    reply = answer.reply?.code;
    if (reply !== 'Access-Accept') await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (reply !== 'Access-Accept') throw new Error(`WiFi logon answered ${reply}`);
  step('on the wifi', { reply });
  step('done', { nonce: randomBytes(4).toString('hex') });
}

main()
  .catch((error: Error) => {
    step('failed', { error: error.message });
    process.exitCode = 1;
  })
  .finally(() => {
    for (const child of children) child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });
