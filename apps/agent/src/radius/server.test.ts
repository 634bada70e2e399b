import type dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { type VoucherInput, VoucherStore } from '../vouchers/store';
import { Attr, encodeInteger, encodeText } from './attributes';
import { checkMessageAuthenticator, signRequest, verifyResponseAuthenticator } from './authenticator';
import { Code, decode, encode, getAttributes } from './packet';
import {
  type AcctEvent,
  type AuthEvent,
  type DropEvent,
  type RadiusCounters,
  RadiusServer,
  type RadiusServerOptions,
} from './server';
import { closeSocket, exchange, papRequest, radclient, udpClient } from './test-support';

const SECRET = 'atrium-radius-test';
const T0 = Date.parse('2030-01-01T10:00:00Z');
const HOUR = 3600_000;
const GUEST: VoucherInput = {
  id: '6f1c2a7e-55b1-4c1e-9a34-0d2b8c1f0a01',
  username: 'guest-4821',
  password: 'tulip-917',
  validFrom: T0 - HOUR,
  validUntil: T0 + HOUR,
  version: 1,
};
const EXPIRED: VoucherInput = {
  id: '6f1c2a7e-55b1-4c1e-9a34-0d2b8c1f0a02',
  username: 'guest-1111',
  password: 'rose-123',
  validFrom: T0 - 3 * HOUR,
  validUntil: T0 - HOUR,
  version: 1,
};
const NAS = 'NAS-IP-Address = 10.1.2.3, NAS-Identifier = "ap-lobby"';
const classHex = (id: string) => `0x${Buffer.from(id).toString('hex')}`;
/** The guest's PAP Access-Request with the right secret and password, built by hand; options override either. */
const guestRequest = (options: Partial<Parameters<typeof papRequest>[0]> = {}) =>
  papRequest({ secret: SECRET, username: GUEST.username, password: GUEST.password, ...options });

let server: RadiusServer | undefined;
let clock = T0;
const sockets: dgram.Socket[] = [];

interface Running {
  server: RadiusServer;
  store: VoucherStore;
  auth: number;
  acct: number;
  authEvents: AuthEvent[];
  acctEvents: AcctEvent[];
  drops: DropEvent[];
}

async function start(options: Partial<RadiusServerOptions> = {}): Promise<Running> {
  clock = T0;
  const store = new VoucherStore();
  store.replaceAll([GUEST, EXPIRED]);
  server = new RadiusServer({
    secret: SECRET,
    authAddr: { host: '127.0.0.1', port: 0 },
    acctAddr: { host: '127.0.0.1', port: 0 },
    store,
    now: () => clock,
    ...options,
  });
  const running: Running = { server, store, authEvents: [], acctEvents: [], drops: [], ...(await server.listen()) };
  server.on('auth', (event) => running.authEvents.push(event));
  server.on('acct', (event) => running.acctEvents.push(event));
  server.on('drop', (event) => running.drops.push(event));
  return running;
}

async function client(): Promise<dgram.Socket> {
  const socket = await udpClient();
  sockets.push(socket);
  return socket;
}

function counters(overrides: Partial<RadiusCounters>): RadiusCounters {
  return { requests: 0, accepts: 0, rejects: 0, duplicates: 0, malformed: 0, dropped: 0, accounting: 0, ...overrides };
}

afterEach(async () => {
  await server?.close();
  server = undefined;
  await Promise.all(sockets.splice(0).map(closeSocket));
});

describe('Access-Request with radclient', () => {
  it('accepts a PAP login with Message-Authenticator first, Session-Timeout, interim interval and Class', async () => {
    const r = await start();
    const out = await radclient(
      r.auth,
      'auth',
      SECRET,
      `User-Name = "guest-4821", User-Password = "tulip-917", Message-Authenticator = 0x00, ${NAS}`,
    );
    expect(out.exitCode).toBe(0);
    expect(out.reply?.code).toBe('Access-Accept');
    expect(out.reply?.attributes.map((a) => a.name)).toEqual([
      'Message-Authenticator',
      'Session-Timeout',
      'Acct-Interim-Interval',
      'Class',
    ]);
    expect(out.reply?.attributes.slice(1)).toEqual([
      { name: 'Session-Timeout', value: '3600' },
      { name: 'Acct-Interim-Interval', value: '300' },
      { name: 'Class', value: classHex(GUEST.id) },
    ]);
    expect(r.server.counters).toEqual(counters({ requests: 1, accepts: 1 }));
    expect(r.authEvents).toEqual([
      {
        at: new Date(T0),
        voucherId: GUEST.id,
        username: 'guest-4821',
        result: 'accept',
        reason: 'ok',
        method: 'pap',
        nas: { address: '127.0.0.1', port: expect.any(Number), ip: '10.1.2.3', identifier: 'ap-lobby' },
      },
    ]);
  });

  // One request, one reply: what comes back, what the counters say and the auth event. Every reply is signed first.
  const signed = 'Message-Authenticator = 0x00';
  const answerSigned = expect.objectContaining({ name: 'Message-Authenticator' });
  const guestAccept = [
    answerSigned,
    { name: 'Session-Timeout', value: '3600' },
    { name: 'Acct-Interim-Interval', value: '300' },
    { name: 'Class', value: classHex(GUEST.id) },
  ];
  const badVoucher = [answerSigned, { name: 'Reply-Message', value: '"Invalid voucher code or password"' }];
  const accessCases: Array<{
    name: string;
    request: string;
    code: 'Access-Accept' | 'Access-Reject';
    reply: unknown[];
    event: Partial<AuthEvent>;
  }> = [
    {
      name: 'rejects a wrong PAP password with a Reply-Message',
      request: `User-Name = "guest-4821", User-Password = "tulip-918", ${signed}`,
      code: 'Access-Reject',
      reply: badVoucher,
      event: { voucherId: GUEST.id, result: 'reject', reason: 'bad_password', method: 'pap' },
    },
    {
      name: 'rejects an unknown user the same way',
      request: 'User-Name = "guest-0000", User-Password = "tulip-917"',
      code: 'Access-Reject',
      reply: badVoucher,
      event: { voucherId: null, result: 'reject', reason: 'unknown_user', method: 'pap' },
    },
    {
      name: 'rejects an expired voucher with the right password, saying so',
      request: `User-Name = "guest-1111", User-Password = "rose-123", ${signed}`,
      code: 'Access-Reject',
      reply: [answerSigned, { name: 'Reply-Message', value: '"Voucher expired"' }],
      event: { voucherId: EXPIRED.id, result: 'reject', reason: 'expired', method: 'pap' },
    },
    {
      name: 'accepts CHAP with the right password',
      request: `User-Name = "guest-4821", CHAP-Password = "tulip-917", ${signed}`,
      code: 'Access-Accept',
      reply: guestAccept,
      event: { voucherId: GUEST.id, result: 'accept', reason: 'ok', method: 'chap' },
    },
    {
      name: 'rejects CHAP with a wrong password',
      request: `User-Name = "guest-4821", CHAP-Password = "tulip-91", ${signed}`,
      code: 'Access-Reject',
      reply: badVoucher,
      event: { voucherId: GUEST.id, result: 'reject', reason: 'bad_password', method: 'chap' },
    },
    {
      name: 'accepts CHAP with a CHAP-Challenge attribute',
      request: `User-Name = "guest-4821", CHAP-Password = "tulip-917", CHAP-Challenge = 0x0a0b0c0d0e0f101112131415161718191a, ${signed}`,
      code: 'Access-Accept',
      reply: guestAccept,
      event: { voucherId: GUEST.id, result: 'accept', reason: 'ok', method: 'chap' },
    },
    {
      name: 'echoes Proxy-State attributes last and in order in an accept',
      request: 'User-Name = "guest-4821", User-Password = "tulip-917", Proxy-State = 0x01020304, Proxy-State = 0xff',
      code: 'Access-Accept',
      reply: [...guestAccept, { name: 'Proxy-State', value: '0x01020304' }, { name: 'Proxy-State', value: '0xff' }],
      event: { result: 'accept', reason: 'ok', method: 'pap' },
    },
    {
      name: 'echoes Proxy-State attributes last and in order in a reject',
      request: 'User-Name = "guest-4821", User-Password = "nope", Proxy-State = 0xaa, Proxy-State = 0xbbcc',
      code: 'Access-Reject',
      reply: [...badVoucher, { name: 'Proxy-State', value: '0xaa' }, { name: 'Proxy-State', value: '0xbbcc' }],
      event: { result: 'reject', reason: 'bad_password', method: 'pap' },
    },
  ];

  it.each(accessCases)('$name', async ({ request, code, reply, event }) => {
    const r = await start();
    const out = await radclient(r.auth, 'auth', SECRET, request);
    expect(out.reply?.code).toBe(code);
    expect(out.reply?.attributes).toEqual(reply);
    expect(r.server.counters).toEqual(
      counters(code === 'Access-Accept' ? { requests: 1, accepts: 1 } : { requests: 1, rejects: 1 }),
    );
    expect(r.authEvents).toEqual([expect.objectContaining(event)]);
  });

  it.each([
    { what: 'the cap, though 30 minutes remain', at: T0 + 30 * 60_000, sessionTimeout: '900' },
    { what: 'what is left, under the cap', at: T0 + HOUR - 61_500, sessionTimeout: '61' },
  ])(
    'caps Session-Timeout at 900 s and sends the configured interim interval: $what',
    async ({ at, sessionTimeout }) => {
      const r = await start({ sessionTimeoutCap: 900, acctInterimInterval: 120 });
      clock = at;
      const out = await radclient(r.auth, 'auth', SECRET, 'User-Name = "guest-4821", User-Password = "tulip-917"');
      expect(out.reply?.attributes.slice(1, 3)).toEqual([
        { name: 'Session-Timeout', value: sessionTimeout },
        { name: 'Acct-Interim-Interval', value: '120' },
      ]);
    },
  );
});

describe('Message-Authenticator policy', () => {
  it("'yes' drops a request without one and answers one with it", async () => {
    const r = await start({ requireMessageAuthenticator: 'yes' });
    const bare = await radclient(r.auth, 'auth', SECRET, 'User-Name = "guest-4821", User-Password = "tulip-917"', {
      timeoutSeconds: 1,
    });
    expect(bare.reply).toBeUndefined();
    expect(bare.exitCode).not.toBe(0);
    expect(r.server.counters).toEqual(counters({ dropped: 1 }));
    expect(r.drops.map((d) => d.reason)).toEqual(['missing_message_authenticator']);
    const signed = await radclient(
      r.auth,
      'auth',
      SECRET,
      'User-Name = "guest-4821", User-Password = "tulip-917", Message-Authenticator = 0x00',
    );
    expect(signed.reply?.code).toBe('Access-Accept');
    expect(r.server.counters).toEqual(counters({ dropped: 1, requests: 1, accepts: 1 }));
  });

  it("'auto' requires it from a client once that client has sent one", async () => {
    const r = await start({ requireMessageAuthenticator: 'auto' });
    const socket = await client();
    const bare = () => guestRequest();
    expect((await exchange(socket, r.auth, bare()))?.[0]).toBe(Code.AccessAccept);
    const signed = guestRequest({ messageAuthenticator: true });
    expect((await exchange(socket, r.auth, signed))?.[0]).toBe(Code.AccessAccept);
    expect(await exchange(socket, r.auth, bare(), 300)).toBeUndefined();
    expect(r.server.counters).toEqual(counters({ requests: 2, accepts: 2, dropped: 1 }));
  });

  it("'no' answers requests without one", async () => {
    const r = await start({ requireMessageAuthenticator: 'no' });
    const socket = await client();
    const signed = guestRequest({ messageAuthenticator: true });
    expect((await exchange(socket, r.auth, signed))?.[0]).toBe(Code.AccessAccept);
    const bare = guestRequest();
    expect((await exchange(socket, r.auth, bare))?.[0]).toBe(Code.AccessAccept);
  });

  it.each(['no', 'auto', 'yes'] as const)(
    "drops a request whose Message-Authenticator is wrong, with the setting '%s'",
    async (setting) => {
      const r = await start({ requireMessageAuthenticator: setting });
      const socket = await client();
      const wrong = guestRequest({ messageAuthenticator: true });
      wrong[27] = wrong[27]! ^ 0x40; // inside the Message-Authenticator value, which papRequest puts first
      expect(await exchange(socket, r.auth, wrong, 300)).toBeUndefined();
      const otherSecret = guestRequest({ secret: 'not-the-secret', messageAuthenticator: true });
      expect(await exchange(socket, r.auth, otherSecret, 300)).toBeUndefined();
      expect(r.server.counters).toEqual(counters({ dropped: 2 }));
      expect(r.drops.map((d) => d.reason)).toEqual(['bad_message_authenticator', 'bad_message_authenticator']);
      expect(r.authEvents).toEqual([]);
    },
  );

  it('signs every Access reply: Message-Authenticator is the first attribute and verifies', async () => {
    const r = await start();
    const socket = await client();
    for (const password of ['tulip-917', 'wrong']) {
      const request = guestRequest({ password, messageAuthenticator: true });
      const reply = (await exchange(socket, r.auth, request))!;
      expect(reply[20]).toBe(Attr.MessageAuthenticator);
      expect(reply[21]).toBe(18);
      const requestAuthenticator = request.subarray(4, 20);
      expect(checkMessageAuthenticator(reply, SECRET, requestAuthenticator)).toBe('valid');
      expect(verifyResponseAuthenticator(reply, requestAuthenticator, SECRET)).toBe(true);
    }
  });
});

describe('RFC 5080 duplicate detection', () => {
  it('answers a retransmission from the cache without processing it again', async () => {
    const r = await start();
    const socket = await client();
    const request = guestRequest({ messageAuthenticator: true });
    const first = await exchange(socket, r.auth, request);
    clock += 9_999;
    const second = await exchange(socket, r.auth, request);
    expect(first?.[0]).toBe(Code.AccessAccept);
    expect(second?.equals(first!)).toBe(true);
    expect(r.server.counters).toEqual(counters({ requests: 1, accepts: 1, duplicates: 1 }));
    expect(r.authEvents).toHaveLength(1);

    clock += 2; // 10,001 ms after the first: a new request, processed again (Session-Timeout has moved on)
    const third = await exchange(socket, r.auth, request);
    expect(third?.[0]).toBe(Code.AccessAccept);
    expect(third?.equals(first!)).toBe(false);
    expect(r.server.counters).toEqual(counters({ requests: 2, accepts: 2, duplicates: 1 }));
  });

  it('treats the same identifier with a new authenticator as a new request', async () => {
    const r = await start();
    const socket = await client();
    const a = guestRequest({ identifier: 9 });
    const b = guestRequest({ password: 'wrong', identifier: 9 });
    expect((await exchange(socket, r.auth, a))?.[0]).toBe(Code.AccessAccept);
    expect((await exchange(socket, r.auth, b))?.[0]).toBe(Code.AccessReject);
    expect(r.server.counters).toEqual(counters({ requests: 2, accepts: 1, rejects: 1 }));
  });
});

describe('Accounting-Request', () => {
  const session = `User-Name = "guest-4821", Acct-Session-Id = "5A3C-0001", Class = ${classHex(GUEST.id)}, Calling-Station-Id = "AA-BB-CC-DD-EE-FF", Framed-IP-Address = 192.168.50.23, ${NAS}`;

  it('records start, interim and stop, answering each', async () => {
    const r = await start();
    const startOut = await radclient(r.acct, 'acct', SECRET, `Acct-Status-Type = Start, ${session}`);
    expect(startOut.exitCode).toBe(0);
    expect(startOut.reply?.code).toBe('Accounting-Response');
    expect(r.store.sessionsOf(GUEST.id)).toHaveLength(1);

    clock += 300_000;
    const interim = await radclient(
      r.acct,
      'acct',
      SECRET,
      `Acct-Status-Type = Interim-Update, Acct-Session-Time = 300, Acct-Input-Octets = 1000, Acct-Output-Octets = 5000, Acct-Output-Gigawords = 1, ${session}`,
    );
    expect(interim.reply?.code).toBe('Accounting-Response');
    expect(r.store.sessionsOf(GUEST.id)[0]).toMatchObject({ inputOctets: 1000, outputOctets: 2 ** 32 + 5000 });

    clock += 60_000;
    const stop = await radclient(
      r.acct,
      'acct',
      SECRET,
      `Acct-Status-Type = Stop, Acct-Session-Time = 360, Acct-Input-Octets = 1200, Acct-Output-Octets = 6000, Acct-Terminate-Cause = User-Request, Message-Authenticator = 0x00, ${session}`,
    );
    expect(stop.reply?.code).toBe('Accounting-Response');
    expect(r.store.sessionsOf(GUEST.id)).toEqual([]);
    expect(r.server.counters).toEqual(counters({ accounting: 3 }));

    const common = {
      acctSessionId: '5A3C-0001',
      voucherId: GUEST.id,
      username: 'guest-4821',
      nas: { address: '127.0.0.1', port: expect.any(Number), ip: '10.1.2.3', identifier: 'ap-lobby' },
      callingStationId: 'AA-BB-CC-DD-EE-FF',
      framedIp: '192.168.50.23',
    };
    expect(r.acctEvents).toEqual([
      {
        ...common,
        at: new Date(T0),
        status: 'start',
        sessionTime: null,
        inputOctets: null,
        outputOctets: null,
        terminateCause: null,
      },
      {
        ...common,
        at: new Date(T0 + 300_000),
        status: 'interim',
        sessionTime: 300,
        inputOctets: 1000,
        outputOctets: 2 ** 32 + 5000,
        terminateCause: null,
      },
      {
        ...common,
        at: new Date(T0 + 360_000),
        status: 'stop',
        sessionTime: 360,
        inputOctets: 1200,
        outputOctets: 6000,
        terminateCause: 1,
      },
    ]);
  });

  it('finds the voucher by User-Name when Class is missing, and ends a NAS on Accounting-On', async () => {
    const r = await start();
    await radclient(
      r.acct,
      'acct',
      SECRET,
      'Acct-Status-Type = Start, User-Name = "guest-4821", Acct-Session-Id = "x1"',
    );
    expect(r.acctEvents[0]?.voucherId).toBe(GUEST.id);
    expect(r.store.activeSessions).toBe(1);
    const on = await radclient(r.acct, 'acct', SECRET, 'Acct-Status-Type = Accounting-On, NAS-Identifier = "ap-lobby"');
    expect(on.reply?.code).toBe('Accounting-Response');
    expect(r.acctEvents[1]).toMatchObject({ status: 'accounting-on', acctSessionId: '', voucherId: null });
    expect(r.store.activeSessions).toBe(0);
  });

  it('drops an Accounting-Request signed with another secret, or without Acct-Status-Type', async () => {
    const r = await start();
    const socket = await client();
    const build = (secret: string, attributes: Array<{ type: number; value: Buffer }>) =>
      signRequest(encode({ code: Code.AccountingRequest, identifier: 1, attributes }), secret);
    const start1 = [
      { type: Attr.AcctStatusType, value: encodeInteger(1) },
      { type: Attr.AcctSessionId, value: encodeText('s') },
    ];
    expect(await exchange(socket, r.acct, build('wrong-secret', start1), 300)).toBeUndefined();
    expect(await exchange(socket, r.acct, build(SECRET, start1.slice(1)), 300)).toBeUndefined();
    expect(await exchange(socket, r.acct, build(SECRET, start1.slice(0, 1)), 300)).toBeUndefined();
    const reply = await exchange(socket, r.acct, build(SECRET, start1));
    expect(reply?.[0]).toBe(Code.AccountingResponse);
    expect(r.server.counters).toEqual(counters({ dropped: 3, accounting: 1 }));
    expect(r.drops.map((d) => d.reason)).toEqual([
      'bad_request_authenticator',
      'missing_acct_status_type',
      'missing_acct_session_id',
    ]);
  });

  it('echoes Proxy-State in the Accounting-Response', async () => {
    const r = await start();
    const out = await radclient(
      r.acct,
      'acct',
      SECRET,
      'Acct-Status-Type = Start, User-Name = "guest-4821", Acct-Session-Id = "p1", Proxy-State = 0x0102, Proxy-State = 0x03',
    );
    expect(out.reply?.attributes).toEqual([
      { name: 'Proxy-State', value: '0x0102' },
      { name: 'Proxy-State', value: '0x03' },
    ]);
  });
});

describe('packets that are not for us', () => {
  it('counts malformed datagrams and wrong codes, answers nothing, and keeps serving', async () => {
    const r = await start();
    const socket = await client();
    expect(await exchange(socket, r.auth, Buffer.from('hello'), 200)).toBeUndefined();
    const truncated = guestRequest();
    expect(await exchange(socket, r.auth, truncated.subarray(0, truncated.length - 1), 200)).toBeUndefined();
    const accountingOnAuthPort = signRequest(
      encode({ code: Code.AccountingRequest, identifier: 2, attributes: [] }),
      SECRET,
    );
    expect(await exchange(socket, r.auth, accountingOnAuthPort, 200)).toBeUndefined();
    const accessOnAcctPort = guestRequest();
    expect(await exchange(socket, r.acct, accessOnAcctPort, 200)).toBeUndefined();
    expect(r.server.counters).toEqual(counters({ malformed: 2, dropped: 2 }));
    expect(r.drops.map((d) => [d.counter, d.reason])).toEqual([
      ['malformed', 'too_short'],
      ['malformed', 'truncated'],
      ['dropped', 'unexpected_code'],
      ['dropped', 'unexpected_code'],
    ]);
    const ok = await exchange(socket, r.auth, guestRequest());
    expect(ok?.[0]).toBe(Code.AccessAccept);
  });

  it('rejects requests that name no user, or carry both PAP and CHAP', async () => {
    const r = await start();
    const socket = await client();
    const noUser = encode({
      code: Code.AccessRequest,
      identifier: 4,
      authenticator: Buffer.alloc(16, 7),
      attributes: [{ type: Attr.UserPassword, value: Buffer.alloc(16) }],
    });
    const reply = await exchange(socket, r.auth, noUser);
    expect(reply?.[0]).toBe(Code.AccessReject);
    const both = guestRequest({ extra: [{ type: Attr.ChapPassword, value: Buffer.alloc(17) }] });
    expect((await exchange(socket, r.auth, both))?.[0]).toBe(Code.AccessReject);
    expect(r.authEvents.map((e) => [e.reason, e.method, e.username])).toEqual([
      ['invalid_request', 'pap', null],
      ['invalid_request', 'pap', 'guest-4821'],
    ]);
    expect(getAttributes(decode(reply!), Attr.ReplyMessage).map(String)).toEqual(['Invalid voucher code or password']);
  });

  it('drops a reply that would not fit in 4096 octets instead of sending a broken one', async () => {
    const r = await start();
    const socket = await client();
    // 4,027 octets of Proxy-State: the request fits in 4096, the Accept around it (88 octets of its own) would not.
    const proxyStates = Array.from({ length: 15 }, () => ({ type: Attr.ProxyState, value: Buffer.alloc(253, 1) }));
    proxyStates.push({ type: Attr.ProxyState, value: Buffer.alloc(200, 2) });
    const request = guestRequest({ extra: proxyStates });
    expect(request.length).toBe(4077);
    expect(await exchange(socket, r.auth, request, 300)).toBeUndefined();
    expect(r.drops.map((d) => d.reason)).toEqual(['reply_too_large']);
    expect(r.server.counters).toEqual(counters({ dropped: 1 }));
  });

  it('answers even when an event listener throws, and reports the exception as a warning', async () => {
    const r = await start();
    const warnings: Error[] = [];
    r.server.on('warning', (error) => warnings.push(error));
    r.server.on('auth', () => {
      throw new Error('listener bug');
    });
    const socket = await client();
    const request = guestRequest();
    expect((await exchange(socket, r.auth, request))?.[0]).toBe(Code.AccessAccept);
    expect(warnings.map((w) => w.message)).toEqual(['listener bug']);
    expect(r.server.counters).toEqual(counters({ requests: 1, accepts: 1 }));
  });
});
