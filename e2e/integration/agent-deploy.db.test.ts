import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { radclient } from '@atrium/agent/testing/radius';
import { freePort, pairKiosk, startTestServer, type TestServer, testBackend, testClock } from '@atrium/server/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCaddy, startCaddy, throwawayPki } from '../fixtures/caddy';
import { root } from '../fixtures/server';
import { Child } from '../fixtures/stack';
import { checkInVisitor, type Office, type Registration, seedOffice } from './office';

// An office as the seed deploys it: the server behind the repo's Caddyfile with a certificate from a public CA (a
// throwaway root the agent trusts the way a system store trusts Let's Encrypt), and the agent as its own process with
// only the registration's variables, the RADIUS secret and the bundle's files in its certificate folder.
const SECRET = 'radius-shared-secret';
const clock = testClock();
let s: TestServer;
let caddy: RunningCaddy;
let dir: string;
let pki: ReturnType<typeof throwawayPki>;
let registration: Registration;
let certsDir: string;
let office: Office;
let kiosk: { token: string };
const children: Child[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-deploy-'));
  const httpsPort = await freePort();
  s = await startTestServer({
    now: clock.now,
    trustedProxy: ['127.0.0.1'],
    config: { PUBLIC_URL: `https://localhost:${httpsPort}` },
  });
  office = await seedOffice(s, { email: 'office@example.com', agentName: 'Office WiFi' });
  kiosk = await pairKiosk(s, office.admin, office.siteId, clock.advance);
  registration = office.registration;

  pki = throwawayPki(path.join(dir, 'pki'), 'public');
  fs.writeFileSync(path.join(dir, 'instance-ca.pem'), s.ctx.ca.certPem);
  caddy = await startCaddy({
    dir,
    upstream: new URL(s.url).host,
    caFile: path.join(dir, 'instance-ca.pem'),
    tls: `${pki.siteCert} ${pki.siteKey}`,
    httpsPort,
  });

  // What the admin downloads, under the names the agent looks for.
  certsDir = path.join(dir, 'certs');
  fs.mkdirSync(certsDir);
  fs.writeFileSync(path.join(certsDir, 'agent.crt'), registration.bundle.cert);
  fs.writeFileSync(path.join(certsDir, 'agent.key'), registration.bundle.key, { mode: 0o600 });
  fs.writeFileSync(path.join(certsDir, 'ca.crt'), registration.bundle.ca);
}, 90_000);

afterAll(async () => {
  await Promise.all(children.map((child) => child.stop()));
  await caddy?.stop();
  await s?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** `npm run agent` as the seed runs it: the registration's env, a RADIUS secret, the certificate folder; nothing else. */
async function startAgentProcess(extra: Record<string, string>): Promise<{ child: Child; port: number }> {
  const port = await freePort();
  const proc: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'apps/agent/src/main.ts'], {
    cwd: root,
    stdio: 'pipe',
    env: {
      PATH: process.env.PATH ?? '',
      ...registration.env,
      RADIUS_SECRET: SECRET,
      // The seed's default (:1812) moved to a free loopback port; accounting follows on port + 1.
      RADIUS_LISTEN_ADDR: `127.0.0.1:${port}`,
      RADIUS_ACCT_LISTEN_ADDR: `127.0.0.1:${await freePort()}`,
      // Stands in for the seed's `-v /path/to/certs:/certs:ro`.
      ATRIUM_CERTS_DIR: certsDir,
      ...extra,
    },
  });
  const child = new Child(proc);
  children.push(child);
  return { child, port };
}

const logon = (port: number, username: string, password: string, timeoutSeconds = 1) =>
  radclient(
    port,
    'auth',
    SECRET,
    `User-Name = "${username}", User-Password = "${password}", NAS-IP-Address = 127.0.0.1, Message-Authenticator = 0x00`,
    { timeoutSeconds, retries: 1 },
  );

const checkIn = async (name: string) => (await checkInVisitor(s, office, kiosk.token, clock, name)).voucher;

async function acceptedWithin(port: number, voucher: { username: string; password: string }, ms: number) {
  const deadline = Date.now() + ms;
  for (;;) {
    const reply = await logon(port, voucher.username, voucher.password);
    if (reply.reply?.code === 'Access-Accept' || Date.now() > deadline) return reply.reply?.code;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const count = (text: string, pattern: RegExp) => text.match(new RegExp(pattern, 'g'))?.length ?? 0;

describe(`an office deployment behind Caddy with a public certificate (${testBackend()})`, () => {
  it('the registration points agents at Caddy on 443-style https, not at a direct port', () => {
    expect(registration.env.ATRIUM_SERVER_URL).toBe(`wss://localhost:${caddy.httpsPort}/agent/ws`);
  });

  it('an agent whose system trusts the public root connects through Caddy, and a visitor gets onto the WiFi', async () => {
    const { child, port } = await startAgentProcess({ NODE_EXTRA_CA_CERTS: pki.rootCert });
    await child.waitFor(/reconciled the voucher set/, 30_000);
    const voucher = await checkIn('Ada Public');
    expect(await acceptedWithin(port, voucher, 5000)).toBe('Access-Accept');
    await child.stop();
  }, 60_000);

  it('an agent that does not trust the server’s certificate does not connect, and its RADIUS stays silent', async () => {
    // Neither the default roots nor the instance CA vouch for the throwaway root.
    const { child, port } = await startAgentProcess({});
    await child.waitFor(/(self-signed|unable to (get|verify)).*agent link error/i, 30_000);
    const voucher = await checkIn('Eve Untrusted');
    // No voucher set yet: no Access-Reject either, so a NAS would ask its secondary RADIUS server.
    const reply = await logon(port, voucher.username, voucher.password);
    expect(reply.reply).toBeUndefined();
    expect(child.out).toMatch(/unanswered until the server sends the voucher set/);
    expect(child.out).not.toMatch(/reconciled the voucher set/);
    await child.stop();
  }, 60_000);

  it('through an HTTP proxy (tinyproxy): connects with CONNECT, and when the proxy comes back after an outage, so does the link', async () => {
    const proxyPort = await freePort();
    const proxy = startTinyproxy(proxyPort, caddy.httpsPort);
    try {
      await proxy.ready;
      const { child, port } = await startAgentProcess({
        NODE_EXTRA_CA_CERTS: pki.rootCert,
        HTTPS_PROXY: `http://127.0.0.1:${proxyPort}`,
      });
      await child.waitFor(/reconciled the voucher set/, 30_000);
      expect(fs.readFileSync(proxy.log, 'utf8')).toMatch(new RegExp(`CONNECT localhost:${caddy.httpsPort}`));

      await proxy.stop();
      await child.waitFor(/disconnected from the server/, 30_000);
      // While the proxy is down RADIUS answers from memory.
      const during = await checkIn('Grace Outage');
      const restarted = startTinyproxy(proxyPort, caddy.httpsPort);
      try {
        await restarted.ready;
        const deadline = Date.now() + 30_000;
        while (count(child.out, /reconciled the voucher set/) < 2 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(count(child.out, /reconciled the voucher set/)).toBeGreaterThanOrEqual(2);
        // The voucher issued during the outage arrived with the new reconciliation.
        expect(await acceptedWithin(port, during, 5000)).toBe('Access-Accept');
      } finally {
        await restarted.stop();
      }
      await child.stop();
    } finally {
      await proxy.stop();
    }
  }, 120_000);
});

/** Debian's tinyproxy in the foreground on loopback, allowing CONNECT to Caddy's port only. */
function startTinyproxy(port: number, connectPort: number) {
  const conf = path.join(dir, `tinyproxy-${port}-${Date.now()}.conf`);
  const log = `${conf}.log`;
  fs.writeFileSync(
    conf,
    [
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Timeout 60',
      'MaxClients 20',
      'Allow 127.0.0.1',
      `ConnectPort ${connectPort}`,
      'LogLevel Connect',
      `LogFile "${log}"`,
    ].join('\n'),
  );
  const proc = spawn('/usr/bin/tinyproxy', ['-d', '-c', conf], { stdio: 'ignore' });
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  const ready = (async () => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const up = await new Promise<boolean>((resolve) => {
        const socket = net.connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
      if (up) return;
      if (Date.now() > deadline || proc.exitCode !== null) throw new Error('tinyproxy did not start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    log,
    ready,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}
