import { type CryptoKey, type JWK, type KeyObject, SignJWT } from 'jose';
import { MAX_TOKEN_BYTES, QR_TOKEN_ALG, QR_TOKEN_TYP, SITE_AUDIENCE_PREFIX } from './constants';
import { normalizeDisplayName, truncateJsonString } from './display-name';
import { compactUuid } from './ids';

export interface SignVisitTokenInput {
  /** Ed25519 private key: a WebCrypto CryptoKey, a Node KeyObject or a private JWK. */
  privateKey: CryptoKey | KeyObject | JWK;
  kid: string;
  /** Short instance issuer string, e.g. "atrium"; every character costs token bytes. */
  issuer: string;
  siteId: string;
  visitId: string;
  /** UUID; stored by the server to consume the token once. */
  jti: string;
  notBefore: Date;
  expiresAt: Date;
  /** Usually `shortDisplayName(fullName)`; shortened further if the token would exceed MAX_TOKEN_BYTES. */
  displayName: string;
}

// An Ed25519 signature is always 64 bytes, so the token's length is known before signing.
const SIGNATURE_CHARS = base64urlLength(64);

function base64urlLength(bytes: number): number {
  return Math.ceil((bytes * 4) / 3);
}

function jsonBytes(value: unknown): number {
  return new TextEncoder().encode(JSON.stringify(value)).length;
}

function requireCompactId(field: string, uuid: string): string {
  const compact = compactUuid(uuid);
  if (compact === null) throw new TypeError(`${field} must be a UUID`);
  return compact;
}

function numericDate(field: string, date: Date): number {
  const ms = date instanceof Date ? date.getTime() : Number.NaN;
  if (!Number.isFinite(ms)) throw new TypeError(`${field} must be a valid Date`);
  return Math.floor(ms / 1000);
}

/**
 * Signs a visit's QR token (compact JWS, EdDSA). Throws TypeError/RangeError on invalid input; these are server-side
 * programming or configuration errors. The display name is normalized and cut (whole characters) so the token is at
 * most MAX_TOKEN_BYTES; if issuer and kid alone leave no room, it throws a RangeError.
 */
export async function signVisitToken(input: SignVisitTokenInput): Promise<string> {
  const { kid, issuer } = input;
  if (typeof kid !== 'string' || kid === '') throw new TypeError('kid must be a non-empty string');
  if (typeof issuer !== 'string' || issuer === '') throw new TypeError('issuer must be a non-empty string');
  if (typeof input.displayName !== 'string') throw new TypeError('displayName must be a string');
  const nbf = numericDate('notBefore', input.notBefore);
  const exp = numericDate('expiresAt', input.expiresAt);
  if (exp <= nbf) throw new RangeError('expiresAt must be after notBefore');

  const header = { alg: QR_TOKEN_ALG, kid, typ: QR_TOKEN_TYP };
  const claims = {
    iss: issuer,
    aud: `${SITE_AUDIENCE_PREFIX}${requireCompactId('siteId', input.siteId)}`,
    sub: requireCompactId('visitId', input.visitId),
    jti: requireCompactId('jti', input.jti),
    nbf,
    exp,
    dn: '',
  };

  const payloadChars = MAX_TOKEN_BYTES - base64urlLength(jsonBytes(header)) - SIGNATURE_CHARS - 2;
  // Largest payload whose unpadded base64url fits: ceil(4n/3) <= chars  <=>  n <= floor(3 * chars / 4).
  const displayNameBytes = Math.floor((payloadChars * 3) / 4) - jsonBytes(claims);
  if (displayNameBytes < 0) {
    throw new RangeError(`issuer and kid are too long for a ${MAX_TOKEN_BYTES}-byte token`);
  }
  claims.dn = truncateJsonString(normalizeDisplayName(input.displayName), displayNameBytes);

  return new SignJWT(claims).setProtectedHeader(header).sign(input.privateKey);
}
