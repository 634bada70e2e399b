import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Session } from '../vouchers/store';
import { createTerminator, type Terminator, type TerminatorSettings } from './terminator';

// A real HTTPS server on 127.0.0.1 with a certificate made for this run plays the firewall's management API: it checks
// the path, the credentials and the XML, and answers with the vendor's success and error documents.
const API_KEY = 'LUFRPT1-test-key==';
const ADMIN = { user: 'api-admin', password: 'S3cret&<pw>' };

const session: Session = {
  acctSessionId: '5A3C-0001',
  voucherId: '6f1c2a7e-3f0b-4d2b-9a51-1c2d3e4f5a6b',
  nas: { address: '127.0.0.1', ip: '10.0.0.2', identifier: 'lobby-ap' },
  username: 'guest-<4821>',
  callingStationId: 'AA-BB-CC-DD-EE-FF',
  framedIp: '192.168.50.23',
  startedAt: 0,
  updatedAt: 0,
  sessionTime: null,
  inputOctets: null,
  outputOctets: null,
};

interface Seen {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  form: URLSearchParams;
}

/** What the fake firewall does with the next requests: answer (status, body), or never answer. */
type Behaviour = { status: number; body: string } | 'hang';

let dir: string;
let cert: string;
let server: https.Server;
let base: string;
const seen: Seen[] = [];
let script: Behaviour[] = [];
let fallback: (request: Seen) => Behaviour;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-terminator-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-subj',
      '/CN=firewall.test',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-days',
      '1',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  cert = fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8');
  server = https.createServer({ cert, key: fs.readFileSync(path.join(dir, 'key.pem')) }, (req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const request = { path: req.url ?? '', headers: req.headers, form: new URLSearchParams(body) };
      seen.push(request);
      const behaviour = script.shift() ?? fallback(request);
      if (behaviour === 'hang') return;
      res.writeHead(behaviour.status, { 'content-type': 'application/xml' }).end(behaviour.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  seen.length = 0;
  script = [];
});

const settings = (overrides: Partial<TerminatorSettings>): TerminatorSettings => ({
  TERMINATOR: 'paloalto',
  COA_PROFILE: 'generic',
  RADIUS_SECRET: 'unused-here',
  TERMINATOR_URL: base,
  TERMINATOR_API_KEY: API_KEY,
  TERMINATOR_USERNAME: ADMIN.user,
  TERMINATOR_PASSWORD: ADMIN.password,
  terminatorCa: cert,
  timeoutMs: 300,
  retries: 1,
  ...overrides,
});

describe('TERMINATOR=paloalto (PAN-OS XML API, User-ID logout)', () => {
  const success =
    '<response status="success"><result><uid-response><version>2.0</version></uid-response></result></response>';
  beforeAll(() => {
    fallback = (request) => {
      if (request.path !== '/api/?type=user-id') return { status: 404, body: 'not found' };
      if (request.headers['x-pan-key'] !== API_KEY) {
        return {
          status: 403,
          body: '<response status = "error" code="403"><result><msg>Invalid Credential</msg></result></response>',
        };
      }
      return { status: 200, body: success };
    };
  });
  const terminate = (overrides: Partial<TerminatorSettings> = {}): Terminator =>
    createTerminator(settings({ TERMINATOR: 'paloalto', ...overrides }));

  it('logs the guest out by user and IP with the key in a header, and reports an ack', async () => {
    expect(await terminate()(session)).toEqual({ result: 'ack', detail: 'logged out' });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.form.get('key')).toBeNull();
    expect(seen[0]!.form.get('cmd')).toBe(
      '<uid-message><version>2.0</version><type>update</type><payload><logout>' +
        '<entry name="guest-&#60;4821&#62;" ip="192.168.50.23"/></logout></payload></uid-message>',
    );
  });

  it('a refused key is a nak with PAN-OS’s message, not retried', async () => {
    expect(await terminate({ TERMINATOR_API_KEY: 'wrong' })(session)).toEqual({
      result: 'nak',
      detail: 'PAN-OS (HTTP 403): Invalid Credential',
    });
    expect(seen).toHaveLength(1);
  });

  it('an error document is a nak with its lines', async () => {
    script = [
      {
        status: 200,
        body: '<response status="error"><msg><line>User-ID agent is not configured</line></msg></response>',
      },
    ];
    expect(await terminate()(session)).toEqual({
      result: 'nak',
      detail: 'PAN-OS (HTTP 200): User-ID agent is not configured',
    });
  });

  it('retries a 5xx and takes the second answer', async () => {
    script = [{ status: 503, body: 'busy' }];
    expect(await terminate()(session)).toMatchObject({ result: 'ack' });
    expect(seen).toHaveLength(2);
  });

  it('a firewall that never answers is a timeout after the retries', async () => {
    script = ['hang', 'hang'];
    const outcome = await terminate()(session);
    expect(outcome).toEqual({ result: 'timeout', detail: expect.stringMatching(/within 300 ms/) });
    expect(seen).toHaveLength(2);
  });

  it('an answer that is not PAN-OS XML is an error with what came back', async () => {
    script = [{ status: 200, body: '<html><body>Captive portal login</body></html>' }];
    expect(await terminate()(session)).toEqual({
      result: 'error',
      detail: 'unexpected answer from PAN-OS (HTTP 200): Captive portal login',
    });
  });

  it('a certificate from outside TERMINATOR_CA_FILE is refused before anything is sent', async () => {
    const outcome = await terminate({ terminatorCa: undefined })(session);
    expect(outcome.result).toBe('error');
    expect(outcome.detail).toMatch(/self.signed|certificate/i);
    expect(seen).toHaveLength(0);
  });

  it('a session without a client IP cannot be logged out, and says why', async () => {
    expect(await terminate()({ ...session, framedIp: null })).toEqual({
      result: 'error',
      detail: 'the session has no Framed-IP-Address to log out',
    });
    expect(seen).toHaveLength(0);
  });

  it('an unreachable firewall is an error naming it', async () => {
    const outcome = await terminate({ TERMINATOR_URL: 'https://127.0.0.1:1' })(session);
    expect(outcome).toMatchObject({ result: 'error', detail: expect.stringMatching(/127\.0\.0\.1:1: ECONNREFUSED/) });
  });
});

describe('TERMINATOR=sophos (Sophos Firewall XML API, LiveUserLogout)', () => {
  beforeAll(() => {
    fallback = (request) => {
      if (request.path !== '/webconsole/APIController') return { status: 404, body: 'not found' };
      const xml = request.form.get('reqxml') ?? '';
      const admin = /<Admin><UserName>(.*?)<\/UserName><Password>(.*?)<\/Password><\/Admin>/.exec(xml);
      if (admin?.[1] !== ADMIN.user || admin[2] !== 'S3cret&#38;&#60;pw&#62;') {
        return {
          status: 200,
          body: '<Response APIVersion="1905.1"><Login><status>Authentication Failure</status></Login></Response>',
        };
      }
      if (!xml.includes('<IPAddress>192.168.50.23</IPAddress>')) {
        return {
          status: 200,
          body: '<Response APIVersion="1905.1"><LiveUserLogout><Status code="541">User is not live</Status></LiveUserLogout></Response>',
        };
      }
      return {
        status: 200,
        body: '<Response APIVersion="1905.1"><LiveUserLogout><Status code="200">User logged out successfully</Status></LiveUserLogout></Response>',
      };
    };
  });
  const terminate = (overrides: Partial<TerminatorSettings> = {}): Terminator =>
    createTerminator(settings({ TERMINATOR: 'sophos', ...overrides }));

  it('signs the live user out with the API administrator in the request, and reports an ack', async () => {
    expect(await terminate()(session)).toEqual({ result: 'ack', detail: 'User logged out successfully' });
    expect(seen[0]!.form.get('reqxml')).toBe(
      '<Request><LiveUserLogout><Admin><UserName>api-admin</UserName><Password>S3cret&#38;&#60;pw&#62;</Password></Admin>' +
        '<UserName>guest-&#60;4821&#62;</UserName><IPAddress>192.168.50.23</IPAddress></LiveUserLogout></Request>',
    );
  });

  it('a failed API login is a nak with Sophos’s words', async () => {
    expect(await terminate({ TERMINATOR_PASSWORD: 'wrong' })(session)).toEqual({
      result: 'nak',
      detail: 'Sophos: Authentication Failure',
    });
  });

  it('a user who is not live is a nak with the status code', async () => {
    expect(await terminate()({ ...session, framedIp: '192.168.50.99' })).toEqual({
      result: 'nak',
      detail: 'Sophos 541: User is not live',
    });
  });

  it('an answer without a status is an error, never a crash', async () => {
    script = [{ status: 200, body: '<Response APIVersion="1905.1"></Response>' }];
    expect(await terminate()(session)).toEqual({
      result: 'error',
      detail: 'Sophos answered without a status: <Response APIVersion="1905.1"></Response>',
    });
    script = [
      { status: 502, body: 'Bad gateway' },
      { status: 502, body: 'Bad gateway' },
    ];
    expect(await terminate()(session)).toEqual({
      result: 'error',
      detail: 'unexpected answer from Sophos (HTTP 502): Bad gateway',
    });
  });
});
