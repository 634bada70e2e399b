import type dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { ATTRIBUTES, Attr, ErrorCause, encodeInteger } from '../radius/attributes';
import { signResponse, verifyRequestAuthenticator } from '../radius/authenticator';
import { Code, decode, encode, type RadiusPacket } from '../radius/packet';
import { closeSocket, udpClient } from '../radius/test-support';
import { type Session, VoucherStore } from '../vouchers/store';
import { COA_PROFILE_NAMES, COA_PROFILES, type CoaProfileName, disconnectAttributes } from './profiles';
import { createTerminator } from './terminator';

// A real UDP Dynamic Authorization Server on 127.0.0.1 stands in for each vendor's NAS: it checks the secret and
// records which attributes arrive, then answers ACK, NAK with an Error-Cause, or nothing.
const SECRET = 'nas-coa-secret';

const session: Session = {
  acctSessionId: '5A3C-0001',
  voucherId: '6f1c2a7e-3f0b-4d2b-9a51-1c2d3e4f5a6b',
  nas: { address: '127.0.0.1', ip: '10.0.0.2', identifier: 'lobby-ap' },
  username: 'guest-4821',
  callingStationId: 'AA-BB-CC-DD-EE-FF',
  framedIp: '192.168.50.23',
  startedAt: 0,
  updatedAt: 0,
  sessionTime: null,
  inputOctets: null,
  outputOctets: null,
};

const sockets: dgram.Socket[] = [];
afterEach(async () => {
  await Promise.all(sockets.splice(0).map(closeSocket));
});

async function testNas(answer: 'ack' | 'nak' | 'silent') {
  const socket = await udpClient();
  sockets.push(socket);
  const received: RadiusPacket[] = [];
  socket.on('message', (raw, rinfo) => {
    if (!verifyRequestAuthenticator(raw, SECRET)) return;
    const request = decode(raw);
    received.push(request);
    if (answer === 'silent') return;
    const attributes =
      answer === 'nak' ? [{ type: Attr.ErrorCause, value: encodeInteger(ErrorCause.SessionContextNotFound) }] : [];
    const code = answer === 'ack' ? Code.DisconnectAck : Code.DisconnectNak;
    const reply = signResponse(
      encode({ code, identifier: request.identifier, attributes }),
      request.authenticator,
      SECRET,
    );
    socket.send(reply, rinfo.port, rinfo.address);
  });
  return { port: socket.address().port, received };
}

const terminatorFor = (profile: CoaProfileName, port: number, timeoutMs = 3000) =>
  createTerminator({
    TERMINATOR: 'rfc5176',
    COA_PROFILE: profile,
    COA_TARGET: `127.0.0.1:${port}`,
    RADIUS_SECRET: SECRET,
    timeoutMs,
    retries: 1,
  });

const names = (packet: RadiusPacket) => packet.attributes.map((a) => ATTRIBUTES.get(a.type)?.name ?? String(a.type));

describe('RFC 5176 vendor profiles', () => {
  const expected: Record<CoaProfileName, string[]> = {
    generic: [
      'NAS-IP-Address',
      'NAS-Identifier',
      'User-Name',
      'Acct-Session-Id',
      'Calling-Station-Id',
      'Framed-IP-Address',
      'Event-Timestamp',
    ],
    cisco: ['NAS-IP-Address', 'User-Name', 'Acct-Session-Id', 'Calling-Station-Id', 'Event-Timestamp'],
    aruba: ['User-Name', 'Acct-Session-Id', 'Calling-Station-Id', 'Framed-IP-Address', 'Event-Timestamp'],
    mikrotik: ['User-Name', 'Acct-Session-Id', 'Framed-IP-Address'],
    unifi: ['User-Name', 'Acct-Session-Id', 'Calling-Station-Id', 'Event-Timestamp'],
    fortigate: ['User-Name', 'Acct-Session-Id', 'Framed-IP-Address', 'Event-Timestamp'],
  };

  it.each(COA_PROFILE_NAMES)('%s: the NAS receives exactly the attributes it matches on', async (profile) => {
    const nas = await testNas('ack');
    expect(await terminatorFor(profile, nas.port)(session)).toEqual({ result: 'ack' });
    expect(nas.received).toHaveLength(1);
    // Message-Authenticator always comes first (BlastRADIUS); the rest is the profile's.
    expect(names(nas.received[0]!)).toEqual(['Message-Authenticator', ...expected[profile]]);
  });

  it('sends the values the NAS reported for the session', async () => {
    const nas = await testNas('ack');
    await terminatorFor('generic', nas.port)(session);
    const value = (type: number) => nas.received[0]!.attributes.find((a) => a.type === type)!.value;
    expect(value(Attr.AcctSessionId).toString()).toBe('5A3C-0001');
    expect(value(Attr.CallingStationId).toString()).toBe('AA-BB-CC-DD-EE-FF');
    expect([...value(Attr.FramedIpAddress)]).toEqual([192, 168, 50, 23]);
    expect([...value(Attr.NasIpAddress)]).toEqual([10, 0, 0, 2]);
  });

  it('leaves out what the session does not know instead of sending empty values', async () => {
    const nas = await testNas('ack');
    await terminatorFor('aruba', nas.port)({ ...session, callingStationId: null, framedIp: null });
    expect(names(nas.received[0]!)).toEqual([
      'Message-Authenticator',
      'User-Name',
      'Acct-Session-Id',
      'Event-Timestamp',
    ]);
  });

  it('names the NAS first, then the session, from what accounting reported (generic)', () => {
    const store = new VoucherStore();
    const started = store.sessionStart(
      '5A3C-0001',
      '6f1c2a7e-55b1-4c1e-9a34-0d2b8c1f0a01',
      { address: '10.0.0.2', ip: '10.0.0.9', identifier: 'ap-lobby' },
      { username: 'guest-4821', callingStationId: 'AA-BB-CC-DD-EE-FF' },
      0,
    );
    expect(disconnectAttributes(started, COA_PROFILES.generic).map((a) => [a.type, a.value.toString('hex')])).toEqual([
      [Attr.NasIpAddress, '0a000009'],
      [Attr.NasIdentifier, Buffer.from('ap-lobby').toString('hex')],
      [Attr.UserName, Buffer.from('guest-4821').toString('hex')],
      [Attr.AcctSessionId, Buffer.from('5A3C-0001').toString('hex')],
      [Attr.CallingStationId, Buffer.from('AA-BB-CC-DD-EE-FF').toString('hex')],
    ]);
    // An IPv6 NAS address has no place in NAS-IP-Address; the session id is always there.
    const bare = store.sessionStart('s2', null, { address: '10.0.0.3', ip: 'fe80:0:0:0:0:0:0:1' }, {}, 0);
    expect(disconnectAttributes(bare, COA_PROFILES.generic).map((a) => a.type)).toEqual([Attr.AcctSessionId]);
  });

  it('reports a NAK with its Error-Cause', async () => {
    const nas = await testNas('nak');
    expect(await terminatorFor('cisco', nas.port)(session)).toEqual({
      result: 'nak',
      errorCause: ErrorCause.SessionContextNotFound,
    });
  });

  it('retries a silent NAS with the same packet, then reports a timeout with the target', async () => {
    const nas = await testNas('silent');
    const outcome = await terminatorFor('unifi', nas.port, 100)(session);
    expect(outcome).toEqual({ result: 'timeout', detail: `no answer from 127.0.0.1:${nas.port}` });
    expect(nas.received).toHaveLength(2);
    expect(nas.received[1]!.authenticator.equals(nas.received[0]!.authenticator)).toBe(true);
  });

  it('TERMINATOR=none ends nothing and says so', async () => {
    const none = createTerminator({ TERMINATOR: 'none', COA_PROFILE: 'generic', RADIUS_SECRET: SECRET });
    expect(await none(session)).toMatchObject({ result: 'error', detail: expect.stringMatching(/TERMINATOR=none/) });
  });
});
