import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { Attr, encodeDate, integerValue } from './attributes';
import {
  checkMessageAuthenticator,
  signRequest,
  verifyResponseAuthenticator,
  ZERO_AUTHENTICATOR,
} from './authenticator';
import { AUTHENTICATOR_LENGTH, Code, encode, getAttribute, type RadiusAttribute, tryDecode } from './packet';

export interface DisconnectOptions {
  host: string;
  /** RFC 5176 §3.1: the Dynamic Authorization port. */
  port?: number;
  secret: string;
  /** Session identification: User-Name, Acct-Session-Id, NAS-IP-Address, Calling-Station-Id, ... */
  attributes: RadiusAttribute[];
  /** Wait for an answer this long per attempt. */
  timeoutMs?: number;
  /** Further attempts after the first, with the same packet so the NAS can spot the retransmission. */
  retries?: number;
  /** Add Event-Timestamp unless the attributes carry one (default); some NASes want none. */
  eventTimestamp?: boolean;
  /** Local address to send from (tests bind 127.0.0.1). */
  localAddress?: string;
  now?: () => number;
}

export type DisconnectResult =
  | { result: 'ack'; errorCause?: number }
  | { result: 'nak'; errorCause?: number }
  | { result: 'timeout' }
  | { result: 'error'; detail: string };

/**
 * Sends an RFC 5176 Disconnect-Request and waits for the matching Disconnect-ACK/NAK. The request carries a
 * Message-Authenticator (first) and an Event-Timestamp against replay; an answer counts only if it comes from the NAS,
 * matches the identifier and its Response Authenticator (and Message-Authenticator, if any) verify.
 */
export async function sendDisconnect(options: DisconnectOptions): Promise<DisconnectResult> {
  const port = options.port ?? 3799;
  const timeoutMs = options.timeoutMs ?? 3000;
  const attempts = 1 + (options.retries ?? 2);
  const now = options.now ?? Date.now;

  let address: string;
  try {
    address = net.isIP(options.host) ? options.host : (await lookup(options.host)).address;
  } catch (error) {
    return { result: 'error', detail: `cannot resolve ${options.host}: ${(error as Error).message}` };
  }

  const attributes: RadiusAttribute[] = [
    { type: Attr.MessageAuthenticator, value: Buffer.alloc(AUTHENTICATOR_LENGTH) },
    ...options.attributes.filter((a) => a.type !== Attr.MessageAuthenticator),
  ];
  if (options.eventTimestamp !== false && !attributes.some((a) => a.type === Attr.EventTimestamp)) {
    attributes.push({ type: Attr.EventTimestamp, value: encodeDate(new Date(now())) });
  }
  const identifier = randomInt(256);
  let request: Buffer;
  try {
    request = signRequest(encode({ code: Code.DisconnectRequest, identifier, attributes }), options.secret);
  } catch (error) {
    return { result: 'error', detail: (error as Error).message };
  }
  const requestAuthenticator = request.subarray(4, 20);

  const socket = dgram.createSocket({ type: net.isIPv6(address) ? 'udp6' : 'udp4' });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ port: 0, address: options.localAddress }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    socket.close();
    return { result: 'error', detail: (error as Error).message };
  }

  return new Promise<DisconnectResult>((resolve) => {
    let attempt = 0;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (result: DisconnectResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.removeAllListeners('message');
      socket.close();
      resolve(result);
    };
    const send = () => {
      if (attempt >= attempts) return finish({ result: 'timeout' });
      attempt += 1;
      socket.send(request, port, address, (error) => {
        if (error) finish({ result: 'error', detail: error.message });
      });
      timer = setTimeout(send, timeoutMs);
    };
    socket.on('error', (error) => finish({ result: 'error', detail: error.message }));
    socket.on('message', (datagram, rinfo) => {
      if (rinfo.address !== address || rinfo.port !== port) return;
      const decoded = tryDecode(datagram);
      if (!decoded.ok) return;
      const reply = decoded.packet;
      if (reply.identifier !== identifier) return;
      if (reply.code !== Code.DisconnectAck && reply.code !== Code.DisconnectNak) return;
      if (!verifyResponseAuthenticator(datagram, requestAuthenticator, options.secret)) return;
      if (!messageAuthenticatorAcceptable(datagram, requestAuthenticator, options.secret)) return;
      const causeValue = getAttribute(reply, Attr.ErrorCause);
      const errorCause = causeValue ? integerValue(causeValue) : undefined;
      const result = reply.code === Code.DisconnectAck ? 'ack' : 'nak';
      finish(errorCause === undefined ? { result } : { result, errorCause });
    });
    send();
  });
}

/**
 * A reply's Message-Authenticator is computed with the request's authenticator (RFC 3579 §3.2, hostapd); FreeRADIUS 3
 * signs DM/CoA ACK/NAK over a zero authenticator instead. Both prove the secret, so either is taken.
 */
function messageAuthenticatorAcceptable(datagram: Buffer, requestAuthenticator: Buffer, secret: string): boolean {
  const withRequest = checkMessageAuthenticator(datagram, secret, requestAuthenticator);
  if (withRequest !== 'invalid') return true;
  return checkMessageAuthenticator(datagram, secret, ZERO_AUTHENTICATOR) === 'valid';
}
