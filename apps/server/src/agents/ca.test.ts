import { randomUUID, X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateAuthority, createCa, peerIdentity } from './ca';

const tenantId = randomUUID();
const siteId = randomUUID();
let ca: CertificateAuthority;
let other: CertificateAuthority;
let server: tls.Server;
let port: number;
const seen: Array<ReturnType<typeof peerIdentity>> = [];

beforeAll(async () => {
  ca = await CertificateAuthority.load(await createCa());
  other = await CertificateAuthority.load(await createCa({ commonName: 'Someone else' }));
  const serverCert = await ca.issueServerCert({ hostnames: ['localhost', '127.0.0.1'] });
  server = tls.createServer(
    {
      cert: serverCert.certPem,
      key: serverCert.keyPem,
      ca: ca.certPem,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    },
    (socket) => {
      seen.push(peerIdentity(socket.getPeerCertificate(true)));
      socket.end('hello');
    },
  );
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

/** Resolves with what the server said, or rejects with the handshake failure. */
function connect(client: { cert?: string; key?: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(
      { host: '127.0.0.1', port, servername: 'localhost', ca: ca.certPem, ...client },
      () => {},
    );
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk;
    });
    socket.on('end', () => (data ? resolve(data) : reject(new Error('closed without a greeting'))));
    socket.on('error', reject);
  });
}

describe('built-in CA over real TLS', () => {
  it('an agent certificate completes mutual TLS and carries its tenant and site', async () => {
    const agent = await ca.issueAgentCert({ tenantId, siteId, agentId: randomUUID() });
    expect(await connect({ cert: agent.certPem, key: agent.keyPem })).toBe('hello');
    const identity = seen.at(-1)!;
    expect(identity).toEqual({ tenantId, siteId, serial: agent.serial, fingerprint: agent.fingerprint });
    const parsed = new X509Certificate(agent.certPem);
    expect(agent.fingerprint).toBe(parsed.fingerprint256.replace(/:/g, '').toLowerCase());
    expect(parsed.subjectAltName).toBe(`URI:urn:atrium:tenant:${tenantId}:site:${siteId}`);
    expect(parsed.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
  });

  it('refuses a certificate of another CA, an expired one, a not-yet-valid one, and none', async () => {
    const foreign = await other.issueAgentCert({ tenantId, siteId, agentId: randomUUID() });
    const expired = await ca.issueAgentCert({
      tenantId,
      siteId,
      agentId: randomUUID(),
      now: new Date(Date.now() - 10 * 86400_000),
      days: 1,
    });
    const early = await ca.issueAgentCert({
      tenantId,
      siteId,
      agentId: randomUUID(),
      now: new Date(Date.now() + 10 * 86400_000),
    });
    for (const cert of [foreign, expired, early]) {
      await expect(connect({ cert: cert.certPem, key: cert.keyPem })).rejects.toThrow();
    }
    await expect(connect({})).rejects.toThrow();
  });
});

describe('verifyAgentCert (certificates passed on by a trusted proxy)', () => {
  it('accepts base64 DER and PEM with the exact identity', async () => {
    const agent = await ca.issueAgentCert({ tenantId, siteId, agentId: randomUUID() });
    const der = new X509Certificate(agent.certPem).raw.toString('base64');
    const expected = { ok: true, tenantId, siteId, serial: agent.serial, fingerprint: agent.fingerprint };
    expect(ca.verifyAgentCert(der)).toMatchObject(expected);
    expect(ca.verifyAgentCert(agent.certPem)).toMatchObject(expected);
  });

  it('names what is wrong, and never throws', async () => {
    const foreign = await other.issueAgentCert({ tenantId, siteId, agentId: randomUUID() });
    const expired = await ca.issueAgentCert({
      tenantId,
      siteId,
      agentId: randomUUID(),
      now: new Date(Date.now() - 10 * 86400_000),
      days: 1,
    });
    const early = await ca.issueAgentCert({
      tenantId,
      siteId,
      agentId: randomUUID(),
      now: new Date(Date.now() + 10 * 86400_000),
    });
    const serverCert = await ca.issueServerCert({ hostnames: ['localhost'] });
    expect(ca.verifyAgentCert(foreign.certPem)).toEqual({ ok: false, reason: 'not_signed_by_ca' });
    expect(ca.verifyAgentCert(expired.certPem)).toEqual({ ok: false, reason: 'expired' });
    expect(ca.verifyAgentCert(early.certPem)).toEqual({ ok: false, reason: 'not_yet_valid' });
    expect(ca.verifyAgentCert(serverCert.certPem)).toEqual({ ok: false, reason: 'not_client_cert' });
    expect(ca.verifyAgentCert(ca.certPem)).toEqual({ ok: false, reason: 'not_client_cert' });
    for (const junk of [
      '',
      'garbage',
      'A'.repeat(100_000),
      '-----BEGIN CERTIFICATE-----\nxx\n-----END CERTIFICATE-----',
    ]) {
      expect(ca.verifyAgentCert(junk)).toEqual({ ok: false, reason: 'malformed' });
    }
  });
});
