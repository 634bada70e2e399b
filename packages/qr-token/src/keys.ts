import { type CryptoKey, calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { QR_TOKEN_ALG } from './constants';

/** Public half of a QR signing key as it appears in the JWKS. */
export interface QrPublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg: typeof QR_TOKEN_ALG;
  use: 'sig';
}

export interface QrKeyPair {
  publicJwk: QrPublicJwk;
  /** Extractable, so the server can store it (exportJWK / exportPKCS8). */
  privateKey: CryptoKey;
}

// Every header carries the kid, so it is short: 8 base64url characters (48 bits) of the RFC 7638 thumbprint are
// plenty to tell apart the few keys a JWKS lists during rotation.
const KID_LENGTH = 8;

/** New Ed25519 key pair for signing visit tokens; the kid is derived from the public key. */
export async function generateQrKeyPair(): Promise<QrKeyPair> {
  const { publicKey, privateKey } = await generateKeyPair(QR_TOKEN_ALG, { extractable: true });
  const { x } = await exportJWK(publicKey);
  if (typeof x !== 'string') throw new Error('Ed25519 public key export returned no "x"');
  const kid = (await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x })).slice(0, KID_LENGTH);
  return { publicJwk: { kty: 'OKP', crv: 'Ed25519', x, kid, alg: QR_TOKEN_ALG, use: 'sig' }, privateKey };
}
