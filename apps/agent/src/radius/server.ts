import dgram from 'node:dgram';
import dns from 'node:dns';
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { type AuthResult, papCheck, type VoucherStore } from '../vouchers/store';
import {
  AcctStatus,
  Attr,
  encodeInteger,
  encodeText,
  integerValue,
  ipaddrValue,
  ipv6addrValue,
  textValue,
} from './attributes';
import {
  checkMessageAuthenticator,
  signResponse,
  unhidePassword,
  verifyChapPassword,
  verifyRequestAuthenticator,
  ZERO_AUTHENTICATOR,
} from './authenticator';
import { Code, encode, getAttribute, type RadiusAttribute, type RadiusPacket, tryDecode } from './packet';

export type RequireMessageAuthenticator = 'auto' | 'yes' | 'no';

export interface ListenAddress {
  host: string;
  port: number;
}

export interface RadiusServerOptions {
  secret: string;
  authAddr: ListenAddress;
  acctAddr: ListenAddress;
  store: VoucherStore;
  /** 'auto': required from a client once it has sent a valid one (BlastRADIUS, without breaking old NASes). */
  requireMessageAuthenticator?: RequireMessageAuthenticator;
  /** Upper bound for Session-Timeout, in seconds. */
  sessionTimeoutCap?: number;
  /** Acct-Interim-Interval sent in every Access-Accept, in seconds. */
  acctInterimInterval?: number;
  now?: () => number;
  /** RFC 5080 §2.2.2: a retransmission within this window gets the cached reply. */
  duplicateWindowMs?: number;
  /** Bounds the duplicate cache under a flood; the oldest entries go first. */
  duplicateCacheSize?: number;
  /**
   * Stay silent until serve() is called: an agent that has no voucher set yet would reject every visitor, while
   * silence lets the NAS fail over to a secondary RADIUS server.
   */
  holdUntilServing?: boolean;
}

/**
 * Every datagram lands in exactly one of: requests (Access-Requests answered; = accepts + rejects), accounting
 * (Accounting-Requests answered), duplicates (answered from the cache), malformed (not a RADIUS packet), dropped (a
 * packet we must not answer: bad authenticator, missing Message-Authenticator, wrong code for the port, ...).
 */
export interface RadiusCounters {
  requests: number;
  accepts: number;
  rejects: number;
  duplicates: number;
  malformed: number;
  dropped: number;
  accounting: number;
}

export interface NasOrigin {
  /** Source of the datagram: where replies (and Disconnect-Requests) go. */
  address: string;
  port: number;
  /** NAS-IP-Address or NAS-IPv6-Address, as the NAS reports itself. */
  ip: string | null;
  identifier: string | null;
}

export type AuthMethod = 'pap' | 'chap' | 'unknown';
export type AuthReason = 'ok' | Extract<AuthResult, { ok: false }>['reason'] | 'invalid_request';

export interface AuthEvent {
  at: Date;
  voucherId: string | null;
  username: string | null;
  result: 'accept' | 'reject';
  reason: AuthReason;
  method: AuthMethod;
  nas: NasOrigin;
}

export type AcctStatusName = 'start' | 'interim' | 'stop' | 'accounting-on' | 'accounting-off';

export interface AcctEvent {
  at: Date;
  status: AcctStatusName;
  acctSessionId: string;
  /** From Class (which the Access-Accept set to the voucher id), else from User-Name. */
  voucherId: string | null;
  username: string | null;
  nas: NasOrigin;
  callingStationId: string | null;
  framedIp: string | null;
  sessionTime: number | null;
  inputOctets: number | null;
  outputOctets: number | null;
  terminateCause: number | null;
}

export interface DropEvent {
  reason: string;
  address: string;
  port: number;
  counter: 'malformed' | 'dropped';
}

type RadiusServerEvents = {
  auth: [AuthEvent];
  acct: [AcctEvent];
  drop: [DropEvent];
  /** Socket errors and exceptions thrown by 'auth'/'acct' listeners: logged, never fatal. */
  warning: [Error];
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const acctStatusNames = new Map<number, AcctStatusName>([
  [AcctStatus.Start, 'start'],
  [AcctStatus.InterimUpdate, 'interim'],
  [AcctStatus.Stop, 'stop'],
  [AcctStatus.AccountingOn, 'accounting-on'],
  [AcctStatus.AccountingOff, 'accounting-off'],
]);

const REPLY_EXPIRED = encodeText('Voucher expired');
const REPLY_NOT_YET_VALID = encodeText('Voucher not valid yet');
const REPLY_INVALID = encodeText('Invalid voucher code or password');

/** What the guest sees on the captive portal (encoded once); wrong user and wrong password read the same. */
function replyMessage(reason: AuthReason): Buffer {
  if (reason === 'expired') return REPLY_EXPIRED;
  if (reason === 'not_yet_valid') return REPLY_NOT_YET_VALID;
  return REPLY_INVALID;
}

class Dropped {
  constructor(
    readonly reason: string,
    readonly counter: 'malformed' | 'dropped' = 'dropped',
  ) {}
}

/** A request answered: what to count and record once the reply is certain, and what to report after sending it. */
interface Handled {
  reply: Buffer;
  kind: 'duplicate' | 'auth' | 'acct';
  auth?: AuthEvent;
  acct?: AcctEvent;
  /** Kept apart from `now` in the event, which is a Date for listeners. */
  now: number;
}

/**
 * The site's RADIUS server: Access-Request (PAP, CHAP) on the auth port and Accounting-Request on the accounting
 * port, answered from the VoucherStore. Nothing a NAS or an attacker sends can throw out of here.
 */
export class RadiusServer extends EventEmitter<RadiusServerEvents> {
  readonly #options: RadiusServerOptions;
  readonly #secret: Buffer;
  readonly #now: () => number;
  readonly #requireMa: RequireMessageAuthenticator;
  readonly #duplicateWindowMs: number;
  readonly #duplicateCacheSize: number;
  /** Acct-Interim-Interval, the same in every Access-Accept: encoded once. */
  readonly #interimValue: Buffer;
  readonly #counters: RadiusCounters = {
    requests: 0,
    accepts: 0,
    rejects: 0,
    duplicates: 0,
    malformed: 0,
    dropped: 0,
    accounting: 0,
  };
  /** RFC 5080 §2.2.2: one entry per (client, port, code, identifier); a new authenticator there is a new request. */
  readonly #replies = new Map<string, { authenticator: Buffer; reply: Buffer; expires: number }>();
  readonly #clientsSendingMa = new Set<string>();
  #authSocket: dgram.Socket | undefined;
  #acctSocket: dgram.Socket | undefined;

  #holding: boolean;

  constructor(options: RadiusServerOptions) {
    super();
    this.#options = options;
    this.#secret = Buffer.from(options.secret, 'utf8');
    this.#now = options.now ?? Date.now;
    this.#requireMa = options.requireMessageAuthenticator ?? 'auto';
    this.#duplicateWindowMs = options.duplicateWindowMs ?? 10_000;
    this.#duplicateCacheSize = options.duplicateCacheSize ?? 65_536;
    this.#holding = options.holdUntilServing ?? false;
    this.#interimValue = encodeInteger(options.acctInterimInterval ?? 300);
  }

  get counters(): RadiusCounters {
    return { ...this.#counters };
  }

  /** Binds both ports (0 picks a free one) and resolves with the ports bound. */
  async listen(): Promise<{ auth: number; acct: number }> {
    if (this.#authSocket || this.#acctSocket) throw new Error('RadiusServer is already listening');
    this.#authSocket = await this.#bind(this.#options.authAddr, 'auth');
    try {
      this.#acctSocket = await this.#bind(this.#options.acctAddr, 'acct');
    } catch (error) {
      await closeSocket(this.#authSocket);
      this.#authSocket = undefined;
      throw error;
    }
    return { auth: this.#authSocket.address().port, acct: this.#acctSocket.address().port };
  }

  async close(): Promise<void> {
    const sockets = [this.#authSocket, this.#acctSocket];
    this.#authSocket = undefined;
    this.#acctSocket = undefined;
    await Promise.all(sockets.map((socket) => (socket ? closeSocket(socket) : undefined)));
    this.#replies.clear();
  }

  #bind(addr: ListenAddress, kind: 'auth' | 'acct'): Promise<dgram.Socket> {
    const socket = dgram.createSocket({ type: net.isIPv6(addr.host) ? 'udp6' : 'udp4', lookup: literalLookup });
    return new Promise((resolve, reject) => {
      const failed = (error: Error) => {
        socket.close();
        reject(error);
      };
      socket.once('error', failed);
      socket.bind(addr.port, addr.host, () => {
        socket.off('error', failed);
        socket.on('error', (error) => this.emit('warning', error));
        socket.on('message', (datagram, rinfo) => this.#receive(kind, socket, datagram, rinfo));
        resolve(socket);
      });
    });
  }

  /** Starts answering (see holdUntilServing); once serving, it never goes silent again. */
  serve(): void {
    this.#holding = false;
  }

  get serving(): boolean {
    return !this.#holding;
  }

  #receive(kind: 'auth' | 'acct', socket: dgram.Socket, datagram: Buffer, rinfo: dgram.RemoteInfo): void {
    let outcome: Handled | Dropped;
    try {
      outcome = this.#holding ? new Dropped('no_voucher_set_yet') : this.#handle(kind, datagram, rinfo);
      if (!(outcome instanceof Dropped)) this.#commit(outcome);
    } catch {
      // A bug here must not take the site's WiFi login down with it: the packet goes unanswered, the NAS retries.
      outcome = new Dropped('internal_error');
    }
    if (outcome instanceof Dropped) {
      this.#counters[outcome.counter] += 1;
      this.emit('drop', { reason: outcome.reason, address: rinfo.address, port: rinfo.port, counter: outcome.counter });
      return;
    }
    // Without a callback a send error arrives as the socket's 'error' event, which is reported as a warning.
    socket.send(outcome.reply, rinfo.port, rinfo.address);
    try {
      if (outcome.auth) this.emit('auth', outcome.auth);
      else if (outcome.acct) this.emit('acct', outcome.acct);
    } catch (error) {
      // A throwing listener is a bug elsewhere; the packet was answered and counted, so report it and carry on.
      this.emit('warning', error instanceof Error ? error : new Error(String(error)));
    }
  }

  #handle(kind: 'auth' | 'acct', datagram: Buffer, rinfo: dgram.RemoteInfo): Handled | Dropped {
    // Views, not copies: this datagram's buffer is its own, and nothing here writes to it.
    const decoded = tryDecode(datagram, false);
    if (!decoded.ok) return new Dropped(decoded.error.code, 'malformed');
    const packet = decoded.packet;
    const expected = kind === 'auth' ? Code.AccessRequest : Code.AccountingRequest;
    if (packet.code !== expected) return new Dropped('unexpected_code');

    const now = this.#now();
    const key = `${rinfo.address}|${rinfo.port}|${packet.code}|${packet.identifier}`;
    const cached = this.#replies.get(key);
    if (cached && cached.expires > now && cached.authenticator.equals(packet.authenticator)) {
      return { reply: cached.reply, kind: 'duplicate', now };
    }
    const nas = nasOrigin(packet, rinfo);
    const handled =
      kind === 'auth' ? this.#access(packet, datagram, nas, now) : this.#accountingRequest(packet, datagram, nas, now);
    if (handled instanceof Dropped) return handled;
    this.#remember(key, packet.authenticator, handled.reply, now);
    return handled;
  }

  #access(packet: RadiusPacket, datagram: Buffer, nas: NasOrigin, now: number): Handled | Dropped {
    const ma = checkMessageAuthenticator(datagram, this.#secret, packet.authenticator);
    if (ma === 'invalid') return new Dropped('bad_message_authenticator');
    if (ma === 'valid') this.#clientsSendingMa.add(nas.address);
    else if (this.#requireMa === 'yes' || (this.#requireMa === 'auto' && this.#clientsSendingMa.has(nas.address))) {
      return new Dropped('missing_message_authenticator');
    }

    // One pass over the attributes: how many of each the rules below care about, and the value of each.
    let usernames = 0;
    let paps = 0;
    let chaps = 0;
    let usernameValue: Buffer | undefined;
    let pap: Buffer | undefined;
    let chap: Buffer | undefined;
    let challenge: Buffer | undefined;
    for (const { type, value } of packet.attributes) {
      if (type === Attr.UserName) {
        usernames++;
        usernameValue = value;
      } else if (type === Attr.UserPassword) {
        paps++;
        pap = value;
      } else if (type === Attr.ChapPassword) {
        chaps++;
        chap = value;
      } else if (type === Attr.ChapChallenge) {
        challenge ??= value;
      }
    }
    const method: AuthMethod = paps > 0 ? 'pap' : chaps > 0 ? 'chap' : 'unknown';
    const username = usernames === 1 && usernameValue!.length > 0 ? textValue(usernameValue!) : null;

    let result: AuthResult | { ok: false; reason: 'invalid_request'; voucher?: undefined } = {
      ok: false,
      reason: 'invalid_request',
    };
    if (username !== null && paps + chaps === 1) {
      if (pap) {
        const password = unhidePassword(pap, this.#secret, packet.authenticator);
        if (password) result = this.#options.store.authenticate(usernameValue!, papCheck(password), now);
      } else if (chap!.length === 17) {
        const response = chap!;
        const vector = challenge ?? packet.authenticator;
        result = this.#options.store.authenticate(
          usernameValue!,
          (password) => verifyChapPassword(response, password, vector),
          now,
        );
      }
    }

    const attributes: RadiusAttribute[] = [];
    if (result.ok) {
      const left = Math.floor((result.voucher.validUntil - now) / 1000);
      const cap = this.#options.sessionTimeoutCap ?? Number.POSITIVE_INFINITY;
      attributes.push(
        { type: Attr.SessionTimeout, value: encodeInteger(Math.max(1, Math.min(left, cap, 0xffff_ffff))) },
        { type: Attr.AcctInterimInterval, value: this.#interimValue },
        { type: Attr.Class, value: encodeText(result.voucher.id) },
      );
    } else {
      attributes.push({ type: Attr.ReplyMessage, value: replyMessage(result.reason) });
    }
    const reply = this.#reply(packet, result.ok ? Code.AccessAccept : Code.AccessReject, attributes, true);
    if (reply instanceof Dropped) return reply;

    const event: AuthEvent = {
      at: new Date(now),
      voucherId: result.voucher?.id ?? null,
      username,
      result: result.ok ? 'accept' : 'reject',
      reason: result.ok ? 'ok' : result.reason,
      method,
      nas,
    };
    return { reply, kind: 'auth', auth: event, now };
  }

  #accountingRequest(packet: RadiusPacket, datagram: Buffer, nas: NasOrigin, now: number): Handled | Dropped {
    if (!verifyRequestAuthenticator(datagram, this.#secret)) return new Dropped('bad_request_authenticator');
    if (checkMessageAuthenticator(datagram, this.#secret, ZERO_AUTHENTICATOR) === 'invalid') {
      return new Dropped('bad_message_authenticator');
    }
    const statusValue = getAttribute(packet, Attr.AcctStatusType);
    const statusCode = statusValue ? integerValue(statusValue) : undefined;
    if (statusCode === undefined) return new Dropped('missing_acct_status_type');
    const status = acctStatusNames.get(statusCode);
    const sessionIdValue = getAttribute(packet, Attr.AcctSessionId);
    const acctSessionId = sessionIdValue && sessionIdValue.length > 0 ? textValue(sessionIdValue) : null;
    if (acctSessionId === null && (status === 'start' || status === 'interim' || status === 'stop')) {
      return new Dropped('missing_acct_session_id');
    }

    // No Message-Authenticator here: RFC 3579 defines it for Access-* only, and clients disagree on the vector
    // (FreeRADIUS 3 radclient checks it over zeros, hostapd over the request's), so either choice fails one of them.
    const reply = this.#reply(packet, Code.AccountingResponse, [], false);
    if (reply instanceof Dropped) return reply;

    // Other status types (Failed, Tunnel-*) are acknowledged so the NAS stops retrying, and otherwise ignored.
    let event: AcctEvent | undefined;
    if (status) {
      const text = (type: number) => {
        const value = getAttribute(packet, type);
        return value && value.length > 0 ? textValue(value) : null;
      };
      const integer = (type: number) => {
        const value = getAttribute(packet, type);
        return value ? (integerValue(value) ?? null) : null;
      };
      const octets = (low: number, high: number) => {
        const lo = integer(low);
        return lo === null ? null : (integer(high) ?? 0) * 2 ** 32 + lo;
      };
      const username = text(Attr.UserName);
      const classId = text(Attr.Class);
      const framed = getAttribute(packet, Attr.FramedIpAddress);
      const voucherId =
        (classId && (UUID.test(classId) || this.#options.store.get(classId)) ? classId : null) ??
        (username ? (this.#options.store.findByUsername(username)?.id ?? null) : null);
      event = {
        at: new Date(now),
        status,
        acctSessionId: acctSessionId ?? '',
        voucherId,
        username,
        nas,
        callingStationId: text(Attr.CallingStationId),
        framedIp: framed ? (ipaddrValue(framed) ?? null) : null,
        sessionTime: integer(Attr.AcctSessionTime),
        inputOctets: octets(Attr.AcctInputOctets, Attr.AcctInputGigawords),
        outputOctets: octets(Attr.AcctOutputOctets, Attr.AcctOutputGigawords),
        terminateCause: integer(Attr.AcctTerminateCause),
      };
    }
    return event ? { reply, kind: 'acct', acct: event, now } : { reply, kind: 'acct', now };
  }

  /** Counters and session bookkeeping, done once the reply is certain. */
  #commit(handled: Handled): void {
    if (handled.kind === 'duplicate') {
      this.#counters.duplicates += 1;
    } else if (handled.kind === 'auth') {
      this.#counters.requests += 1;
      this.#counters[handled.auth?.result === 'accept' ? 'accepts' : 'rejects'] += 1;
    } else {
      if (handled.acct) this.#applySession(handled.acct, handled.now);
      this.#counters.accounting += 1;
    }
  }

  #applySession(event: AcctEvent, now: number): void {
    const store = this.#options.store;
    const nas = { address: event.nas.address, ip: event.nas.ip, identifier: event.nas.identifier };
    const usage = {
      username: event.username,
      callingStationId: event.callingStationId,
      framedIp: event.framedIp,
      sessionTime: event.sessionTime,
      inputOctets: event.inputOctets,
      outputOctets: event.outputOctets,
    };
    if (event.status === 'start') store.sessionStart(event.acctSessionId, event.voucherId, nas, usage, now);
    else if (event.status === 'interim') store.sessionInterim(event.acctSessionId, event.voucherId, nas, usage, now);
    else if (event.status === 'stop') store.sessionStop(event.acctSessionId, event.voucherId, nas, usage, now);
    else store.endNasSessions(event.nas.address);
  }

  /** Encodes and signs a reply: Message-Authenticator first when asked for, Proxy-State echoed last and in order. */
  #reply(request: RadiusPacket, code: number, attributes: RadiusAttribute[], withMa: boolean): Buffer | Dropped {
    const all: RadiusAttribute[] = [];
    // encode() copies values, so the shared zeros are safe as the placeholder signing fills in.
    if (withMa) all.push({ type: Attr.MessageAuthenticator, value: ZERO_AUTHENTICATOR });
    all.push(...attributes);
    for (const attribute of request.attributes) if (attribute.type === Attr.ProxyState) all.push(attribute);
    let raw: Buffer;
    try {
      raw = encode({ code, identifier: request.identifier, attributes: all });
    } catch {
      return new Dropped('reply_too_large');
    }
    return signResponse(raw, request.authenticator, this.#secret);
  }

  #remember(key: string, authenticator: Buffer, reply: Buffer, now: number): void {
    // Re-inserted at the end, so the Map stays in expiry order and the sweep below stops at the first live entry.
    this.#replies.delete(key);
    for (const [oldKey, entry] of this.#replies) {
      if (entry.expires > now && this.#replies.size < this.#duplicateCacheSize) break;
      this.#replies.delete(oldKey);
    }
    this.#replies.set(key, { authenticator, reply, expires: now + this.#duplicateWindowMs });
  }
}

function nasOrigin(packet: RadiusPacket, rinfo: dgram.RemoteInfo): NasOrigin {
  const ip4 = getAttribute(packet, Attr.NasIpAddress);
  const ip6 = getAttribute(packet, Attr.NasIpv6Address);
  const identifier = getAttribute(packet, Attr.NasIdentifier);
  return {
    address: rinfo.address,
    port: rinfo.port,
    ip: (ip4 && ipaddrValue(ip4)) ?? (ip6 && ipv6addrValue(ip6)) ?? null,
    identifier: identifier && identifier.length > 0 ? textValue(identifier) : null,
  };
}

/**
 * Replies go to the address a datagram came from, always an IP literal: answering at once skips the dns.lookup and the
 * extra tick that dgram would otherwise spend on every send. Names (a configured listen host) still resolve.
 */
function literalLookup(
  hostname: string,
  options: dns.LookupOneOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const family = net.isIP(hostname);
  if (family !== 0) callback(null, hostname, family);
  else dns.lookup(hostname, options, callback);
}

function closeSocket(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve();
    }
  });
}
