import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { Attr, encodeText } from './attributes';
import { hidePassword, signAccessRequest } from './authenticator';
import { AUTHENTICATOR_LENGTH, Code, encode, type RadiusAttribute } from './packet';

/** Test helpers only: FreeRADIUS's radclient as the independent peer, raw UDP on 127.0.0.1, a seeded PRNG. */

export const RADCLIENT = '/usr/bin/radclient';

export interface RadclientReply {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The reply radclient accepted (it checks the Response Authenticator and Message-Authenticator itself). */
  reply?: { code: string; identifier: number; attributes: Array<{ name: string; value: string }> };
}

/**
 * Runs radclient once against 127.0.0.1:port. `attributes` is radclient's own syntax; the source is pinned to
 * 127.0.0.1 with Packet-Src-IP-Address so no test socket listens beyond loopback.
 */
export function radclient(
  port: number,
  command: 'auth' | 'acct' | 'disconnect',
  secret: string,
  attributes: string,
  options: { timeoutSeconds?: number; retries?: number } = {},
): Promise<RadclientReply> {
  const args = [
    '-x',
    '-r',
    String(options.retries ?? 1),
    '-t',
    String(options.timeoutSeconds ?? 2),
    `127.0.0.1:${port}`,
    command,
    secret,
  ];
  return new Promise((resolve, reject) => {
    const child = execFile(RADCLIENT, args, { timeout: 20_000 }, (error, stdout, stderr) => {
      const exitCode = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      if (error && typeof error.code !== 'number') return reject(error);
      resolve({ exitCode, stdout, stderr, reply: parseReply(stdout) });
    });
    child.stdin?.end(`${attributes}, Packet-Src-IP-Address = 127.0.0.1\n`);
  });
}

function parseReply(stdout: string): RadclientReply['reply'] {
  const lines = stdout.split('\n');
  const start = lines.findIndex((line) => line.startsWith('Received '));
  if (start < 0) return undefined;
  const header = /^Received (\S+) Id (\d+) /.exec(lines[start]!);
  if (!header) return undefined;
  const attributes: Array<{ name: string; value: string }> = [];
  for (const line of lines.slice(start + 1)) {
    const match = /^\t(\S+) = (.*)$/.exec(line);
    if (!match) break;
    attributes.push({ name: match[1]!, value: match[2]! });
  }
  return { code: header[1]!, identifier: Number(header[2]), attributes };
}

/** What radclient puts on the wire: it sends to a throwaway 127.0.0.1 listener, which keeps the first datagram. */
export async function captureRadclient(
  command: 'auth' | 'acct' | 'disconnect',
  secret: string,
  attributes: string,
): Promise<Buffer> {
  const listener = await udpClient();
  try {
    const received = new Promise<Buffer>((resolve) => listener.once('message', (datagram) => resolve(datagram)));
    const child = execFile(RADCLIENT, ['-r', '1', '-t', '5', `127.0.0.1:${listener.address().port}`, command, secret]);
    child.stdin?.end(`${attributes}, Packet-Src-IP-Address = 127.0.0.1\n`);
    const datagram = await received;
    child.kill();
    return datagram;
  } finally {
    await closeSocket(listener);
  }
}

export async function udpClient(): Promise<dgram.Socket> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return socket;
}

/** Sends one datagram and waits for the next datagram back, or undefined after `timeoutMs`. */
export function exchange(
  socket: dgram.Socket,
  port: number,
  datagram: Buffer,
  timeoutMs = 500,
): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const onMessage = (reply: Buffer) => {
      clearTimeout(timer);
      resolve(reply);
    };
    const timer = setTimeout(() => {
      socket.off('message', onMessage);
      resolve(undefined);
    }, timeoutMs);
    socket.once('message', onMessage);
    socket.send(datagram, port, '127.0.0.1');
  });
}

export function closeSocket(socket: dgram.Socket): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()));
}

/** An Access-Request built by hand (for what radclient cannot send: a wrong Message-Authenticator, exact replays). */
export function papRequest(options: {
  secret: string;
  username: string;
  password: string;
  identifier?: number;
  authenticator?: Buffer;
  messageAuthenticator?: boolean;
  extra?: RadiusAttribute[];
}): Buffer {
  const authenticator = options.authenticator ?? randomBytes(AUTHENTICATOR_LENGTH);
  const attributes: RadiusAttribute[] = [];
  if (options.messageAuthenticator) {
    attributes.push({ type: Attr.MessageAuthenticator, value: Buffer.alloc(AUTHENTICATOR_LENGTH) });
  }
  attributes.push(
    { type: Attr.UserName, value: encodeText(options.username) },
    { type: Attr.UserPassword, value: hidePassword(options.password, options.secret, authenticator) },
    ...(options.extra ?? []),
  );
  const raw = encode({ code: Code.AccessRequest, identifier: options.identifier ?? 7, authenticator, attributes });
  return signAccessRequest(raw, options.secret);
}

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

// RFC 2865 §7.1 "User Telnet to Specified Host": Access-Request and its Access-Accept.
export const RFC2865_7_1_REQUEST = hex(`
  01 00 00 38 0f 40 3f 94 73 97 80 57 bd 83 d5 cb
  98 f4 22 7a 01 06 6e 65 6d 6f 02 12 0d be 70 8d
  93 d4 13 ce 31 96 e4 3f 78 2a 0a ee 04 06 c0 a8
  01 10 05 06 00 00 00 03`);
export const RFC2865_7_1_ACCEPT = hex(`
  02 00 00 26 86 fe 22 0e 76 24 ba 2a 10 05 f6 bf
  9b 55 e0 b2 06 06 00 00 00 01 0f 06 00 00 00 00
  0e 06 c0 a8 01 03`);
// RFC 2865 §7.2 "Framed User Authenticating with CHAP": Access-Request.
export const RFC2865_7_2_REQUEST = hex(`
  01 01 00 47 2a ee 86 f0 8d 0d 55 96 9c a5 97 8e
  0d 33 67 a2 01 08 66 6c 6f 70 73 79 03 13 16 e9
  75 57 c3 16 18 58 95 f2 93 ff 63 44 07 72 75 04
  06 c0 a8 01 10 05 06 00 00 00 14 06 06 00 00 00
  02 07 06 00 00 00 01`);
