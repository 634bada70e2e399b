import { createHash } from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AgentConfigError,
  Code,
  decode,
  encode,
  loadAgentConfig,
  type RunningAgent,
  radclient,
  startAgent,
  verifyRequestAuthenticator,
} from '@atrium/agent/testing';
import {
  api,
  freePort,
  pairKiosk,
  startDirectAgentListener,
  startTestServer,
  type TestServer,
  testBackend,
  testClock,
} from '@atrium/server/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInVisitor, type Office, seedOffice } from './office';

// The real agent (RADIUS + link) against the real server, with FreeRADIUS's radclient as the WiFi controller and a UDP
// listener standing in for the firewall that receives Disconnect-Requests.
const SECRET = 'radius-shared-secret';
const clock = testClock();
let s: TestServer;
let direct: Awaited<ReturnType<typeof startDirectAgentListener>>;
let agent: RunningAgent;
let nas: dgram.Socket;
const disconnects: Buffer[] = [];
let dir: string;
let env: Record<string, string>;
let office: Office;
let kiosk: { token: string };

beforeAll(async () => {
  s = await startTestServer({ now: clock.now });
  office = await seedOffice(s, { email: 'radius@example.com', agentName: 'Lobby' });
  kiosk = await pairKiosk(s, office.admin, office.siteId, clock.advance);
  direct = await startDirectAgentListener(s.ctx, { port: 0, host: '127.0.0.1', hostnames: ['localhost', '127.0.0.1'] });
  const reg = office.registration;

  nas = dgram.createSocket('udp4');
  nas.on('message', (msg, rinfo) => {
    disconnects.push(msg);
    const request = decode(msg);
    // Answer like a firewall that ended the session.
    const reply = encode({
      code: Code.DisconnectAck,
      identifier: request.identifier,
      authenticator: request.authenticator,
      attributes: [],
    });
    const signed = Buffer.from(reply);
    createHash('md5')
      .update(Buffer.concat([signed, Buffer.from(SECRET)]))
      .digest()
      .copy(signed, 4);
    nas.send(signed, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => nas.bind(0, '127.0.0.1', resolve));

  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-agent-'));
  for (const [name, pem] of Object.entries({
    'agent.crt': reg.bundle.cert,
    'agent.key': reg.bundle.key,
    'ca.crt': reg.bundle.ca,
  })) {
    fs.writeFileSync(path.join(dir, name), pem);
  }
  const radiusPort = await freePort();
  env = {
    ATRIUM_SERVER_URL: `wss://localhost:${(direct.server.address() as { port: number }).port}/agent/ws`,
    ATRIUM_TENANT_ID: office.tenantId,
    ATRIUM_SITE_ID: office.siteId,
    RADIUS_SECRET: SECRET,
    RADIUS_LISTEN_ADDR: `127.0.0.1:${radiusPort}`,
    RADIUS_ACCT_LISTEN_ADDR: `127.0.0.1:${await freePort()}`,
    TLS_CERT_FILE: path.join(dir, 'agent.crt'),
    TLS_KEY_FILE: path.join(dir, 'agent.key'),
    TLS_CA_FILE: path.join(dir, 'ca.crt'),
    COA_TARGET: `127.0.0.1:${(nas.address() as { port: number }).port}`,
  };
  agent = await startAgent(loadAgentConfig(env), pino({ level: 'silent' }));
  await waitWhile(() => !agent.link.ready, 10_000);
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  nas?.close();
  direct?.server.close();
  await s?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function checkedInVisitor(name = 'Wifi Visitor') {
  const checkedIn = await checkInVisitor(s, office, kiosk.token, clock, name);
  // The voucher reaches the agent's memory over the link.
  await waitWhile(() => !agent.store.findByUsername(checkedIn.voucher.username));
  return checkedIn;
}

/** Waits while `condition` holds, up to `ms`; the assertion after it says what should have happened. */
async function waitWhile(condition: () => unknown, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

const auth = (username: string, password: string, chap = false) =>
  radclient(
    agent.ports.auth,
    'auth',
    SECRET,
    `User-Name = "${username}", ${chap ? 'CHAP-Password' : 'User-Password'} = "${password}", NAS-IP-Address = 127.0.0.1, Message-Authenticator = 0x00`,
  );

describe(`site agent end to end on ${testBackend()}`, () => {
  it.each([
    { change: { RADIUS_SECRET: '' }, line: /RADIUS_SECRET is required/ },
    { change: { ATRIUM_SERVER_URL: 'http://x' }, line: /ATRIUM_SERVER_URL must be a wss:\/\/ URL/ },
    { change: { RADIUS_LISTEN_ADDR: 'nonsense' }, line: /RADIUS_LISTEN_ADDR must be host:port/ },
    { change: { TLS_KEY_FILE: '/nonexistent' }, line: /TLS_KEY_FILE must name a readable file/ },
    {
      change: { ATRIUM_SITE_ID: '00000000-0000-4000-8000-000000000000' },
      line: /not for ATRIUM_TENANT_ID\/ATRIUM_SITE_ID/,
    },
  ])('refuses a bad environment with one clear line: $line', ({ change, line }) => {
    expect(() => loadAgentConfig({ ...env, ...change })).toThrow(AgentConfigError);
    expect(() => loadAgentConfig({ ...env, ...change })).toThrow(line);
  });

  it('a checked-in visitor gets onto the WiFi with PAP and CHAP; a wrong password does not', async () => {
    const { voucher } = await checkedInVisitor();
    const pap = await auth(voucher.username, voucher.password);
    expect(pap.reply?.code).toBe('Access-Accept');
    expect(pap.reply?.attributes.map((a) => a.name)).toEqual(expect.arrayContaining(['Session-Timeout', 'Class']));
    expect((await auth(voucher.username, voucher.password, true)).reply?.code).toBe('Access-Accept');
    expect((await auth(voucher.username, 'wrongpass')).reply?.code).toBe('Access-Reject');
  });

  it('checking out rejects the voucher at once and ends the live session with a Disconnect-Request', async () => {
    const { visit, voucher } = await checkedInVisitor('Leaving Visitor');
    const accept = await auth(voucher.username, voucher.password);
    const classValue = accept.reply!.attributes.find((a) => a.name === 'Class')!.value;
    const acct = await radclient(
      agent.ports.acct,
      'acct',
      SECRET,
      `User-Name = "${voucher.username}", Acct-Status-Type = Start, Acct-Session-Id = "sess-1", NAS-IP-Address = 127.0.0.1, Class = ${classValue}, Calling-Station-Id = "AA-BB-CC-DD-EE-01"`,
    );
    expect(acct.reply?.code).toBe('Accounting-Response');
    expect(agent.store.activeSessions).toBeGreaterThanOrEqual(1);

    expect((await api(s, office.admin).post(`/visits/${visit.id}/check-out`, {})).status).toBe(200);
    await waitWhile(() => disconnects.length === 0);
    expect((await auth(voucher.username, voucher.password)).reply?.code).toBe('Access-Reject');
    expect(disconnects.length).toBe(1);
    const request = decode(disconnects[0]!);
    expect(request.code).toBe(Code.DisconnectRequest);
    expect(verifyRequestAuthenticator(disconnects[0]!, SECRET)).toBe(true);

    // The result travels back to the server and is stored with the voucher.
    const until = Date.now() + 5000;
    let rows: Array<{ result: string; acct_session_id: string | null }> = [];
    while (rows.length === 0 && Date.now() < until) {
      rows = await s.db.withTenant(office.tenantId, (tx) =>
        tx.selectFrom('session_terminations').select(['result', 'acct_session_id']).execute(),
      );
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(rows).toEqual([{ result: 'ack', acct_session_id: 'sess-1' }]);
    const sessions = await s.db.withTenant(office.tenantId, (tx) =>
      tx.selectFrom('radius_sessions').select('calling_station_id').execute(),
    );
    expect(sessions.map((r) => r.calling_station_id)).toContain('AA-BB-CC-DD-EE-01');
  });

  it('erasing a visitor on site revokes the voucher at the running agent', async () => {
    const { visit, voucher } = await checkedInVisitor('Erase Me');
    expect((await auth(voucher.username, voucher.password)).reply?.code).toBe('Access-Accept');
    expect((await api(s, office.admin).delete(`/visitors/${visit.visitorId}`)).status).toBe(200);
    await waitWhile(() => agent.store.findByUsername(voucher.username));
    expect((await auth(voucher.username, voucher.password)).reply?.code).toBe('Access-Reject');
  });

  it('an Accounting-Request with NUL in Acct-Session-Id never blocks the link: the next check-in gets Access-Accept within 2 s', async () => {
    const reconciles = agent.link.reconciles;
    // radclient 3.2 sends "0x…" in a string attribute as those characters; an octal escape puts a real NUL on the wire.
    const poisoned = await radclient(
      agent.ports.acct,
      'acct',
      SECRET,
      'User-Name = "nobody", Acct-Status-Type = Start, Acct-Session-Id = "A\\000B", NAS-Identifier = "ap\\000", NAS-IP-Address = 127.0.0.1, Calling-Station-Id = "AA-BB-CC-DD-EE-02"',
    );
    expect(poisoned.reply?.code).toBe('Accounting-Response');
    // The server took the event and acked it: the agent holds nothing back to resend.
    await waitWhile(() => agent.link.buffer.length > 0);
    expect(agent.link.buffer.length).toBe(0);
    const sessions = await s.db.withTenant(office.tenantId, (tx) =>
      tx
        .selectFrom('radius_sessions')
        .select(['acct_session_id', 'nas_identifier'])
        .where('calling_station_id', '=', 'AA-BB-CC-DD-EE-02')
        .execute(),
    );
    expect(sessions).toEqual([{ acct_session_id: 'AB', nas_identifier: 'ap' }]);

    const started = Date.now();
    const { voucher } = await checkedInVisitor('After The Poison');
    expect((await auth(voucher.username, voucher.password)).reply?.code).toBe('Access-Accept');
    expect(Date.now() - started).toBeLessThan(2000);
    // The voucher came as a push on the same connection, not through a reconnect's reconciliation.
    expect(agent.link.ready).toBe(true);
    expect(agent.link.reconciles).toBe(reconciles);
  });

  it('keeps answering from memory while the server is away', async () => {
    const { voucher } = await checkedInVisitor('Offline Server');
    direct.server.close();
    for (const client of direct.wss.clients) client.terminate();
    await waitWhile(() => agent.link.ready);
    expect(agent.link.ready).toBe(false);
    expect((await auth(voucher.username, voucher.password)).reply?.code).toBe('Access-Accept');
    expect(agent.link.buffer.length).toBeGreaterThan(0);
  });
});
