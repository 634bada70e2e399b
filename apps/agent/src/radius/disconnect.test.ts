import { createHash, createHmac } from 'node:crypto';
import type dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { Attr, ErrorCause, encodeInteger, encodeText } from './attributes';
import {
  checkMessageAuthenticator,
  signResponse,
  verifyRequestAuthenticator,
  ZERO_AUTHENTICATOR,
} from './authenticator';
import { sendDisconnect } from './disconnect';
import { Code, decode, encode, type RadiusAttribute, type RadiusPacket } from './packet';
import { closeSocket, udpClient } from './test-support';

const SECRET = 'nas-coa-secret';
const NOW = Date.parse('2030-01-01T10:00:00Z');

interface Received {
  packet: RadiusPacket;
  raw: Buffer;
  authenticatorOk: boolean;
  messageAuthenticator: 'absent' | 'valid' | 'invalid';
}

/** A NAS's Dynamic Authorization Server: checks what arrives with the secret and answers as `answer` says. */
async function testNas(
  answer: (request: Received, attempt: number) => Buffer | undefined,
): Promise<{ port: number; received: Received[] }> {
  const socket = await udpClient();
  sockets.push(socket);
  const received: Received[] = [];
  socket.on('message', (raw, rinfo) => {
    const entry: Received = {
      packet: decode(raw),
      raw,
      authenticatorOk: verifyRequestAuthenticator(raw, SECRET),
      messageAuthenticator: checkMessageAuthenticator(raw, SECRET, ZERO_AUTHENTICATOR),
    };
    received.push(entry);
    const reply = answer(entry, received.length);
    if (reply) socket.send(reply, rinfo.port, rinfo.address);
  });
  return { port: socket.address().port, received };
}

function reply(request: Received, code: number, attributes: RadiusAttribute[], secret = SECRET): Buffer {
  const all = [{ type: Attr.MessageAuthenticator, value: Buffer.alloc(16) }, ...attributes];
  return signResponse(
    encode({ code, identifier: request.packet.identifier, attributes: all }),
    request.packet.authenticator,
    secret,
  );
}

const sockets: dgram.Socket[] = [];
afterEach(async () => {
  await Promise.all(sockets.splice(0).map(closeSocket));
});

const session: RadiusAttribute[] = [
  { type: Attr.UserName, value: encodeText('guest-4821') },
  { type: Attr.AcctSessionId, value: encodeText('5A3C-0001') },
];

/** The guest's session disconnected at `nas`, from 127.0.0.1; options override any of it. */
const disconnectAt = (nas: { port: number }, options: Partial<Parameters<typeof sendDisconnect>[0]> = {}) =>
  sendDisconnect({
    host: '127.0.0.1',
    port: nas.port,
    secret: SECRET,
    attributes: session,
    localAddress: '127.0.0.1',
    ...options,
  });

describe('sendDisconnect', () => {
  it('sends a Disconnect-Request the NAS can verify, and reads the ACK', async () => {
    const nas = await testNas((request) => reply(request, Code.DisconnectAck, []));
    const result = await disconnectAt(nas, { now: () => NOW });
    expect(result).toEqual({ result: 'ack' });
    expect(nas.received).toHaveLength(1);
    const [request] = nas.received;
    expect(request!.packet.code).toBe(Code.DisconnectRequest);
    expect(request!.authenticatorOk).toBe(true);
    expect(request!.messageAuthenticator).toBe('valid');
    expect(request!.packet.attributes.map((a) => a.type)).toEqual([
      Attr.MessageAuthenticator,
      Attr.UserName,
      Attr.AcctSessionId,
      Attr.EventTimestamp,
    ]);
    expect(request!.packet.attributes[3]!.value.readUInt32BE(0)).toBe(NOW / 1000);
    expect(verifyRequestAuthenticator(request!.raw, 'another-secret')).toBe(false);
  });

  it('reads a NAK and its Error-Cause', async () => {
    const nas = await testNas((request) =>
      reply(request, Code.DisconnectNak, [
        { type: Attr.ErrorCause, value: encodeInteger(ErrorCause.SessionContextNotFound) },
      ]),
    );
    const result = await disconnectAt(nas);
    expect(result).toEqual({ result: 'nak', errorCause: 503 });
  });

  it('retries with the same packet and gives up with a timeout', async () => {
    const nas = await testNas(() => undefined);
    const started = Date.now();
    const result = await disconnectAt(nas, { timeoutMs: 100, retries: 2 });
    expect(result).toEqual({ result: 'timeout' });
    expect(nas.received).toHaveLength(3);
    expect(nas.received[1]!.raw.equals(nas.received[0]!.raw)).toBe(true);
    expect(nas.received[2]!.raw.equals(nas.received[0]!.raw)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('ignores a forged answer and takes the genuine one on the retry', async () => {
    const nas = await testNas((request, attempt) =>
      attempt === 1 ? reply(request, Code.DisconnectAck, [], 'forger-secret') : reply(request, Code.DisconnectNak, []),
    );
    const result = await disconnectAt(nas, { timeoutMs: 150, retries: 1 });
    expect(result).toEqual({ result: 'nak' });
    expect(nas.received).toHaveLength(2);
  });

  it('ignores an answer with a wrong identifier', async () => {
    const nas = await testNas((request) => {
      const raw = reply(request, Code.DisconnectAck, []);
      raw[1] = (raw[1]! + 1) % 256;
      return raw;
    });
    const result = await disconnectAt(nas, { timeoutMs: 100, retries: 0 });
    expect(result).toEqual({ result: 'timeout' });
  });

  it('accepts an ACK whose Message-Authenticator was computed over zeros (FreeRADIUS 3 as a NAS)', async () => {
    const nas = await testNas((request) => {
      const raw = encode({
        code: Code.DisconnectAck,
        identifier: request.packet.identifier,
        attributes: [{ type: Attr.MessageAuthenticator, value: Buffer.alloc(16) }],
      });
      createHmac('md5', SECRET).update(raw).digest().copy(raw, 22);
      request.packet.authenticator.copy(raw, 4);
      createHash('md5').update(raw).update(SECRET).digest().copy(raw, 4);
      return raw;
    });
    const result = await disconnectAt(nas);
    expect(result).toEqual({ result: 'ack' });
  });

  it('reports a name that does not resolve as an error', async () => {
    const result = await sendDisconnect({
      host: 'nas.invalid',
      secret: SECRET,
      attributes: session,
      localAddress: '127.0.0.1',
    });
    expect(result).toMatchObject({ result: 'error', detail: expect.stringContaining('nas.invalid') });
  });
});
