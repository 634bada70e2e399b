import 'reflect-metadata';
import { createHash, X509Certificate as NodeX509, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 3600_000;
const IDENTITY =
  /^urn:atrium:tenant:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):site:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export const agentIdentityUri = (tenantId: string, siteId: string) => `urn:atrium:tenant:${tenantId}:site:${siteId}`;

export interface PemPair {
  certPem: string;
  keyPem: string;
}

export interface IssuedAgentCert extends PemPair {
  serial: string;
  fingerprint: string;
  notAfter: Date;
}

/** Who is on the other end of an agent link: taken from the verified client certificate, never from a message. */
export interface AgentIdentity {
  tenantId: string;
  siteId: string;
  serial: string;
  fingerprint: string;
}

export type AgentCertCheck =
  | { ok: true; tenantId: string; siteId: string; serial: string; fingerprint: string; notAfter: Date }
  | {
      ok: false;
      reason: 'malformed' | 'not_signed_by_ca' | 'expired' | 'not_yet_valid' | 'not_client_cert' | 'no_identity';
    };

// A positive 16-byte serial (top bit clear so DER keeps it positive without padding).
const newSerial = () => {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x10;
  return bytes.toString('hex');
};

const fingerprintOf = (der: Buffer) => createHash('sha256').update(der).digest('hex');
const normalizeSerial = (serial: string) =>
  serial
    .replace(/:/g, '')
    .toLowerCase()
    .replace(/^0+(?=.)/, '');

async function exportKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
}

async function importKeyPem(pem: string): Promise<CryptoKey> {
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return webcrypto.subtle.importKey('pkcs8', der, ALG, true, ['sign']);
}

const generateKeys = async () =>
  (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as unknown as CryptoKeyPair;

/** The instance's own CA (ECDSA P-256, 10 years): issues the agent client certificates and the direct listener's cert. */
export async function createCa(options: { commonName?: string; now?: Date } = {}): Promise<PemPair> {
  const now = options.now ?? new Date();
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: newSerial(),
    name: `CN=${options.commonName ?? 'Atrium instance CA'}`,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + 3652 * DAY_MS),
    keys,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportKeyPem(keys.privateKey) };
}

export class CertificateAuthority {
  readonly #cert: x509.X509Certificate;
  readonly #node: NodeX509;

  private constructor(
    readonly certPem: string,
    private readonly signingKey: CryptoKey,
  ) {
    this.#cert = new x509.X509Certificate(certPem);
    this.#node = new NodeX509(certPem);
  }

  static async load(pair: PemPair): Promise<CertificateAuthority> {
    return new CertificateAuthority(pair.certPem, await importKeyPem(pair.keyPem));
  }

  get fingerprint(): string {
    return fingerprintOf(this.#node.raw);
  }

  async #issue(options: {
    subject: string;
    days: number;
    now: Date;
    san: x509.JsonGeneralNames;
    usage: string;
  }): Promise<IssuedAgentCert> {
    const keys = await generateKeys();
    // Whole seconds, as X.509 stores it: the expiry recorded for the agent is exactly the certificate's.
    const notAfter = new Date(Math.floor((options.now.getTime() + options.days * DAY_MS) / 1000) * 1000);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: newSerial(),
      subject: options.subject,
      issuer: this.#cert.subject,
      notBefore: new Date(options.now.getTime() - 60_000),
      notAfter,
      publicKey: keys.publicKey,
      signingKey: this.signingKey,
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([options.usage]),
        new x509.SubjectAlternativeNameExtension(options.san),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(this.#cert.publicKey),
      ],
    });
    const der = Buffer.from(cert.rawData);
    return {
      certPem: cert.toString('pem'),
      keyPem: await exportKeyPem(keys.privateKey),
      serial: normalizeSerial(cert.serialNumber),
      fingerprint: fingerprintOf(der),
      notAfter,
    };
  }

  /** The certificate of the direct mTLS listener. */
  issueServerCert(options: { hostnames: string[]; now?: Date; days?: number }): Promise<IssuedAgentCert> {
    const san = options.hostnames.map((name) =>
      /^[\d.]+$|:/.test(name) ? { type: 'ip' as const, value: name } : { type: 'dns' as const, value: name },
    );
    return this.#issue({
      subject: `CN=${options.hostnames[0] ?? 'atrium'}`,
      days: options.days ?? 825,
      now: options.now ?? new Date(),
      san,
      usage: x509.ExtendedKeyUsage.serverAuth,
    });
  }

  /** An agent's client certificate; the key pair is made for this call and the private key is never kept. */
  issueAgentCert(options: {
    tenantId: string;
    siteId: string;
    agentId: string;
    now?: Date;
    days?: number;
  }): Promise<IssuedAgentCert> {
    return this.#issue({
      subject: `CN=atrium-agent ${options.agentId}`,
      days: options.days ?? 365,
      now: options.now ?? new Date(),
      san: [{ type: 'url', value: agentIdentityUri(options.tenantId, options.siteId) }],
      usage: x509.ExtendedKeyUsage.clientAuth,
    });
  }

  /**
   * Checks a client certificate that reached us from a trusted proxy (base64 DER as Caddy sends it, or PEM): signed by
   * this CA, within its validity, made for client auth, with the agent identity URI. Never throws.
   */
  verifyAgentCert(input: string | Buffer, now: Date = new Date()): AgentCertCheck {
    let cert: NodeX509;
    try {
      if (typeof input === 'string') {
        const text = input.trim();
        if (text.length === 0 || text.length > 16_384) return { ok: false, reason: 'malformed' };
        cert = new NodeX509(text.startsWith('-----BEGIN') ? text : Buffer.from(text, 'base64'));
      } else {
        if (input.length === 0 || input.length > 16_384) return { ok: false, reason: 'malformed' };
        cert = new NodeX509(input);
      }
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    try {
      if (!cert.checkIssued(this.#node) || !cert.verify(this.#node.publicKey))
        return { ok: false, reason: 'not_signed_by_ca' };
    } catch {
      return { ok: false, reason: 'not_signed_by_ca' };
    }
    if (new Date(cert.validFrom) > now) return { ok: false, reason: 'not_yet_valid' };
    if (new Date(cert.validTo) <= now) return { ok: false, reason: 'expired' };
    if (!(cert.keyUsage ?? []).includes(x509.ExtendedKeyUsage.clientAuth))
      return { ok: false, reason: 'not_client_cert' };
    const identity = parseSan(cert.subjectAltName);
    if (!identity) return { ok: false, reason: 'no_identity' };
    return {
      ok: true,
      ...identity,
      serial: normalizeSerial(cert.serialNumber),
      fingerprint: fingerprintOf(cert.raw),
      notAfter: new Date(cert.validTo),
    };
  }
}

/** Tenant and site from a SAN string as node prints it ("URI:urn:atrium:tenant:…:site:…"), exactly one identity. */
export function parseSan(subjectAltName: string | undefined): { tenantId: string; siteId: string } | undefined {
  if (!subjectAltName) return undefined;
  const uris = subjectAltName
    .split(', ')
    .filter((entry) => entry.startsWith('URI:'))
    .map((entry) => IDENTITY.exec(entry.slice(4)))
    .filter((match) => match !== null);
  if (uris.length !== 1) return undefined;
  return { tenantId: uris[0]![1]!, siteId: uris[0]![2]! };
}

/** The identity of a peer whose chain node's TLS already verified against the CA (the direct listener). */
export function peerIdentity(peer: {
  raw?: Buffer;
  subjectaltname?: string;
  serialNumber?: string;
}): AgentIdentity | undefined {
  const identity = parseSan(peer.subjectaltname);
  if (!identity || !peer.raw || !peer.serialNumber) return undefined;
  return { ...identity, serial: normalizeSerial(peer.serialNumber), fingerprint: fingerprintOf(peer.raw) };
}
