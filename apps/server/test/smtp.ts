import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export const SMTP_USER = 'atrium';
export const SMTP_PASSWORD = 'relay-secret';

export interface TestSmtp {
  /** SMTP_URL for the server under test (STARTTLS is offered; AUTH PLAIN with the test credentials). */
  url: string;
  /** SMTP_TLS_CA_FILE: the throwaway CA that issued the relay's certificate. */
  caFile: string;
  /** Every message accepted so far, parsed. */
  received: ParsedMail[];
  /** Resolves once `count` messages have arrived (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  /** Recipients matching this are refused with 550 (a permanent failure). */
  refuse(pattern: RegExp): void;
  /** Stops listening: connections are refused until `up()`. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

/** A CA and a certificate for 127.0.0.1/localhost it issued (openssl, P-256, valid two days). */
function makeCertificates(dir: string) {
  const file = (name: string) => path.join(dir, name);
  const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    file('ca.key'),
    '-out',
    file('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=Test SMTP CA',
  ]);
  openssl(['req', ...ec, '-keyout', file('smtp.key'), '-out', file('smtp.csr'), '-subj', '/CN=localhost']);
  fs.writeFileSync(file('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl([
    'x509',
    '-req',
    '-in',
    file('smtp.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-out',
    file('smtp.pem'),
    '-days',
    '2',
    '-extfile',
    file('san.ext'),
  ]);
  return { caFile: file('ca.pem'), key: fs.readFileSync(file('smtp.key')), cert: fs.readFileSync(file('smtp.pem')) };
}

/** A real SMTP server on 127.0.0.1 (smtp-server) with STARTTLS and AUTH PLAIN, collecting what arrives. */
export async function startTestSmtp(): Promise<TestSmtp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-smtp-'));
  const { caFile, key, cert } = makeCertificates(dir);
  const received: ParsedMail[] = [];
  const waiters = new Set<() => void>();
  let refused: RegExp | undefined;
  let port = 0;
  let server: SMTPServer | undefined;

  const listen = async () => {
    const instance = new SMTPServer({
      key,
      cert,
      authMethods: ['PLAIN'],
      disabledCommands: [],
      // Credentials go over the wire only after STARTTLS.
      allowInsecureAuth: false,
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) callback(null, { user: auth.username });
        else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onRcptTo(address, _session, callback) {
        if (refused?.test(address.address)) {
          callback(Object.assign(new Error('5.1.1 Mailbox unavailable'), { responseCode: 550 }));
        } else callback();
      },
      onData(stream, _session, callback) {
        simpleParser(stream)
          .then((mail) => {
            received.push(mail);
            for (const wake of waiters) wake();
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve) => instance.listen(port, '127.0.0.1', resolve));
    port = (instance.server.address() as AddressInfo).port;
    server = instance;
  };
  await listen();

  const down = async () => {
    const closing = server;
    server = undefined;
    await new Promise<void>((resolve) => closing?.close(() => resolve()) ?? resolve());
  };

  return {
    url: `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${port}?tls=required`,
    caFile,
    received,
    waitFor(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (received.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(received.slice());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`expected ${count} messages within ${timeoutMs} ms, got ${received.length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    refuse(pattern) {
      refused = pattern;
    },
    down,
    up: listen,
    async close() {
      await down();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
