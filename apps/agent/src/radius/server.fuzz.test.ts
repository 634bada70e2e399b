import type dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VoucherStore } from '../vouchers/store';
import { Attr, encodeInteger, encodeText, integerValue, textValue } from './attributes';
import {
  chapPassword,
  checkMessageAuthenticator,
  hidePassword,
  signAccessRequest,
  signRequest,
  unhidePassword,
  verifyChapPassword,
  verifyRequestAuthenticator,
  verifyResponseAuthenticator,
  ZERO_AUTHENTICATOR,
} from './authenticator';
import { Code, encode, getAttribute, getAttributes, type RadiusAttribute, tryDecode } from './packet';
import { RadiusServer } from './server';
import { closeSocket, radclient, seededRandom, udpClient } from './test-support';

const SECRET = 'fuzz-shared-secret';
const USER = 'fuzz-user';
const PASSWORD = 'fuzz-pass';
const VOUCHER_ID = '0a0b0c0d-0000-4000-8000-00000000f022';
const PACKETS = 10_240;
const SOCKETS = 16;
const SEED = 0x5eed_2865;

type Port = 'auth' | 'acct';
type Outcome = 'malformed' | 'dropped' | 'accept' | 'reject' | 'accounting';

/**
 * What the server must do with a datagram, restated from the RFC rules (not from server.ts): RFC 2865 §3 framing,
 * RFC 3579 Message-Authenticator, RFC 2866 Request Authenticator, and the voucher's credentials.
 */
function expectedOutcome(datagram: Buffer, port: Port): Outcome {
  const decoded = tryDecode(datagram);
  if (!decoded.ok) return 'malformed';
  const packet = decoded.packet;
  const proxyStateOctets = getAttributes(packet, Attr.ProxyState).reduce((sum, v) => sum + 2 + v.length, 0);
  if (port === 'acct') {
    if (packet.code !== Code.AccountingRequest) return 'dropped';
    if (!verifyRequestAuthenticator(datagram, SECRET)) return 'dropped';
    if (checkMessageAuthenticator(datagram, SECRET, ZERO_AUTHENTICATOR) === 'invalid') return 'dropped';
    const status = getAttribute(packet, Attr.AcctStatusType);
    const statusCode = status ? integerValue(status) : undefined;
    if (statusCode === undefined) return 'dropped';
    const sessionId = getAttribute(packet, Attr.AcctSessionId);
    if ([1, 2, 3].includes(statusCode) && !(sessionId && sessionId.length > 0)) return 'dropped';
    return 20 + proxyStateOctets > 4096 ? 'dropped' : 'accounting';
  }
  if (packet.code !== Code.AccessRequest) return 'dropped';
  if (checkMessageAuthenticator(datagram, SECRET, packet.authenticator) === 'invalid') return 'dropped';
  const names = getAttributes(packet, Attr.UserName);
  const pap = getAttributes(packet, Attr.UserPassword);
  const chap = getAttributes(packet, Attr.ChapPassword);
  let valid = false;
  if (names.length === 1 && textValue(names[0]!) === USER && pap.length + chap.length === 1) {
    if (pap.length === 1) {
      valid = unhidePassword(pap[0]!, SECRET, packet.authenticator)?.toString('utf8') === PASSWORD;
    } else {
      const challenge = getAttribute(packet, Attr.ChapChallenge) ?? packet.authenticator;
      valid = verifyChapPassword(chap[0]!, PASSWORD, challenge);
    }
  }
  const own = valid ? 6 + 6 + 2 + VOUCHER_ID.length : 2 + 'Invalid voucher code or password'.length;
  if (20 + 18 + own + proxyStateOctets > 4096) return 'dropped';
  return valid ? 'accept' : 'reject';
}

function generator(random: () => number) {
  const int = (n: number) => Math.floor(random() * n);
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;

  const access = (kind: 'pap' | 'pap-ma' | 'pap-wrong' | 'chap' | 'chap-challenge'): Buffer => {
    const authenticator = bytes(16);
    const attributes: RadiusAttribute[] = [];
    if (kind === 'pap-ma') attributes.push({ type: Attr.MessageAuthenticator, value: Buffer.alloc(16) });
    attributes.push({ type: Attr.UserName, value: encodeText(USER) });
    if (kind.startsWith('pap')) {
      const password = kind === 'pap-wrong' ? 'fuzz-pas' : PASSWORD;
      attributes.push({ type: Attr.UserPassword, value: hidePassword(password, SECRET, authenticator) });
    } else {
      const challenge = kind === 'chap-challenge' ? bytes(1 + int(32)) : authenticator;
      if (kind === 'chap-challenge') attributes.push({ type: Attr.ChapChallenge, value: challenge });
      attributes.push({ type: Attr.ChapPassword, value: chapPassword(int(256), PASSWORD, challenge) });
    }
    attributes.push({ type: Attr.NasIdentifier, value: encodeText('fuzz-ap') });
    if (random() < 0.3) attributes.push({ type: Attr.ProxyState, value: bytes(1 + int(40)) });
    const raw = encode({ code: Code.AccessRequest, identifier: int(256), authenticator, attributes });
    return signAccessRequest(raw, SECRET);
  };

  const accounting = (): Buffer => {
    const attributes: RadiusAttribute[] = [];
    if (random() < 0.5) attributes.push({ type: Attr.MessageAuthenticator, value: Buffer.alloc(16) });
    attributes.push(
      { type: Attr.AcctStatusType, value: encodeInteger(pick([1, 2, 3, 7, 8, 15])) },
      { type: Attr.AcctSessionId, value: encodeText(`sess-${int(50)}`) },
      { type: Attr.UserName, value: encodeText(USER) },
      { type: Attr.Class, value: encodeText(VOUCHER_ID) },
      { type: Attr.AcctInputOctets, value: encodeInteger(int(1e9)) },
    );
    return signRequest(encode({ code: Code.AccountingRequest, identifier: int(256), attributes }), SECRET);
  };

  const mutate = (packet: Buffer): Buffer => {
    let out = Buffer.from(packet);
    for (let n = int(4); n > 0; n--) {
      switch (int(9)) {
        case 0: {
          const at = int(out.length);
          out[at] = out[at]! ^ (1 << int(8));
          break;
        }
        case 1:
          out[int(out.length)] = int(256);
          break;
        case 2:
          out = out.subarray(0, int(out.length + 1));
          break;
        case 3:
          out = Buffer.concat([out, bytes(1 + int(30))]);
          break;
        case 4:
          if (out.length >= 4) out.writeUInt16BE(int(4200), 2);
          break;
        case 5: {
          // an attribute length octet somewhere after the header
          if (out.length > 21) out[20 + int(out.length - 20)] = int(256);
          break;
        }
        case 6: {
          // a well-formed attribute appended, Length fixed up
          const value = bytes(int(60));
          out = Buffer.concat([out, Buffer.of(pick([1, 2, 3, 18, 33, 40, 44, 60, 80, 200]), value.length + 2), value]);
          if (out.length <= 0xffff) out.writeUInt16BE(out.length, 2);
          break;
        }
        case 7:
          out[0] = pick([1, 2, 4, 5, 11, 12, 40, 43, 0, 255]);
          break;
        default:
          // padding after the Length field changes nothing on the wire that matters
          out = Buffer.concat([out, Buffer.alloc(int(8))]);
      }
    }
    return out;
  };

  return (): { datagram: Buffer; port: Port } => {
    const roll = random();
    if (roll < 0.3) {
      const length = random() < 0.6 ? int(48) : random() < 0.75 ? 20 + int(300) : 300 + int(3900);
      const datagram = bytes(length);
      if (length >= 1 && random() < 0.5) datagram[0] = pick([1, 4]);
      if (length >= 4 && random() < 0.5) datagram.writeUInt16BE(length, 2);
      return { datagram, port: random() < 0.5 ? 'auth' : 'acct' };
    }
    const base =
      roll < 0.75
        ? {
            datagram: access(pick(['pap', 'pap-ma', 'pap-wrong', 'chap', 'chap-challenge'] as const)),
            port: 'auth' as const,
          }
        : { datagram: accounting(), port: 'acct' as const };
    // Some arrive intact (so accepts happen), some on the wrong port, most mutated.
    if (random() < 0.12) return base;
    if (random() < 0.05) return { datagram: base.datagram, port: base.port === 'auth' ? 'acct' : 'auth' };
    return { datagram: mutate(base.datagram), port: base.port };
  };
}

let server: RadiusServer;
let ports: { auth: number; acct: number };
const sockets: dgram.Socket[] = [];
let clock = Date.parse('2030-01-01T00:00:00Z');

beforeAll(async () => {
  const store = new VoucherStore();
  store.upsert({
    id: VOUCHER_ID,
    username: USER,
    password: PASSWORD,
    validFrom: clock - 1000,
    validUntil: clock + 10 * 365 * 24 * 3600_000,
    version: 1,
  });
  // The clock jumps 20 s per reading, past the 10 s duplicate window: a mutated packet that keeps the identifier and
  // authenticator of an earlier one must be judged on its own, not answered from the cache.
  server = new RadiusServer({
    secret: SECRET,
    authAddr: { host: '127.0.0.1', port: 0 },
    acctAddr: { host: '127.0.0.1', port: 0 },
    store,
    requireMessageAuthenticator: 'no',
    now: () => {
      clock += 20_000;
      return clock;
    },
  });
  ports = await server.listen();
  for (let i = 0; i < SOCKETS; i++) sockets.push(await udpClient());
});

afterAll(async () => {
  await server.close();
  await Promise.all(sockets.map(closeSocket));
});

const handled = () => {
  const c = server.counters;
  return c.requests + c.accounting + c.duplicates + c.malformed + c.dropped;
};

async function until(condition: () => boolean, deadlineMs: number): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return true;
}

describe('fuzzing the running server over UDP', () => {
  it(`answers ${PACKETS} random and mutated packets exactly as the RFC rules say, and never crashes`, async () => {
    const next = generator(seededRandom(SEED));
    const expected: Record<Outcome, number> = { malformed: 0, dropped: 0, accept: 0, reject: 0, accounting: 0 };
    const mismatches: string[] = [];
    let acceptsForInvalid = 0;
    let sent = 0;

    while (sent < PACKETS) {
      const batch = Array.from({ length: SOCKETS }, () => {
        const { datagram, port } = next();
        const outcome = expectedOutcome(datagram, port);
        expected[outcome] += 1;
        return { datagram, port, outcome, reply: undefined as Buffer | undefined };
      });
      const replying = batch.filter(
        (p) => p.outcome === 'accept' || p.outcome === 'reject' || p.outcome === 'accounting',
      );
      let replies = 0;
      const listeners = batch.map((entry, i) => {
        const listener = (reply: Buffer) => {
          entry.reply = reply;
          replies += 1;
        };
        sockets[i]!.on('message', listener);
        sockets[i]!.send(entry.datagram, entry.port === 'auth' ? ports.auth : ports.acct, '127.0.0.1');
        return listener;
      });
      sent += batch.length;
      const processed = await until(() => handled() === sent && replies >= replying.length, 5000);
      await new Promise((resolve) => setTimeout(resolve, 1)); // a stray reply to a dropped packet would land by now
      for (const [i, listener] of listeners.entries()) sockets[i]!.off('message', listener);
      if (!processed) mismatches.push(`batch ending at ${sent}: handled ${handled()}, replies ${replies}`);

      for (const entry of batch) {
        const replyCode = entry.reply?.[0];
        if (replyCode === Code.AccessAccept && entry.outcome !== 'accept') acceptsForInvalid += 1;
        const want = { accept: Code.AccessAccept, reject: Code.AccessReject, accounting: Code.AccountingResponse }[
          entry.outcome as 'accept' | 'reject' | 'accounting'
        ];
        const ok =
          replyCode === want &&
          (!entry.reply ||
            (entry.reply[1] === entry.datagram[1] &&
              verifyResponseAuthenticator(entry.reply, entry.datagram.subarray(4, 20), SECRET)));
        if (!ok && mismatches.length < 10) {
          mismatches.push(
            `${entry.port} ${entry.datagram.toString('hex')}: expected ${entry.outcome}, got ${replyCode}`,
          );
        }
      }
    }

    expect(mismatches).toEqual([]);
    expect(acceptsForInvalid).toBe(0);
    const counters = server.counters;
    expect(counters).toEqual({
      requests: expected.accept + expected.reject,
      accepts: expected.accept,
      rejects: expected.reject,
      duplicates: 0,
      malformed: expected.malformed,
      dropped: expected.dropped,
      accounting: expected.accounting,
    });
    expect(counters.malformed + counters.dropped + counters.requests + counters.accounting).toBe(sent);
    expect(sent).toBeGreaterThanOrEqual(10_000);
    // every kind of outcome really happened, so the run proves something about each
    for (const outcome of Object.keys(expected) as Outcome[]) expect(expected[outcome]).toBeGreaterThan(100);

    const after = await radclient(ports.auth, 'auth', SECRET, `User-Name = "${USER}", User-Password = "${PASSWORD}"`);
    expect(after.reply?.code).toBe('Access-Accept');
  });
});
