import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import {
  DEFAULT_CLOCK_TOLERANCE_SEC,
  MAX_TOKEN_INPUT_CHARS,
  QR_TOKEN_ALG,
  QR_TOKEN_TYP,
  SITE_AUDIENCE_PREFIX,
} from './constants';
import { compactUuid, expandUuid } from './ids';

export type VisitTokenFailure = 'invalid_token' | 'token_expired' | 'token_not_yet_valid' | 'wrong_site';

export interface VisitTokenClaims {
  visitId: string;
  siteId: string;
  jti: string;
  displayName: string;
  notBefore: Date;
  expiresAt: Date;
  kid: string;
}

/** A refusal; one for a correctly signed code that is not valid yet says from when it is (the signed `nbf`). */
export type VerifyVisitTokenResult =
  | { ok: true; claims: VisitTokenClaims }
  | { ok: false; reason: VisitTokenFailure; notBefore?: Date };

export interface VerifyVisitTokenOptions {
  /**
   * A JWKS (`{ keys: [...] }`) or a jose key resolver. A JWKS object is imported once and cached by identity, so
   * pass a new object when the key set changes instead of mutating it.
   */
  keys: JSONWebKeySet | JWTVerifyGetKey;
  issuer: string;
  /** UUID of the site this kiosk or request belongs to. */
  siteId: string;
  now: Date;
  clockToleranceSec?: number;
}

const REQUIRED_CLAIMS = ['iss', 'aud', 'sub', 'jti', 'nbf', 'exp', 'dn'];
const INVALID: VerifyVisitTokenResult = { ok: false, reason: 'invalid_token' };

const keySetResolvers = new WeakMap<JSONWebKeySet, JWTVerifyGetKey>();

function resolverFor(keys: JSONWebKeySet | JWTVerifyGetKey): JWTVerifyGetKey {
  if (typeof keys === 'function') return keys;
  let resolver = keySetResolvers.get(keys);
  if (resolver === undefined) {
    resolver = createLocalJWKSet(keys);
    keySetResolvers.set(keys, resolver);
  }
  return resolver;
}

// jose checks claims only after the signature, so wrong_site, expiry and nbf are never reported for a forgery.
function failureReason(error: unknown): VisitTokenFailure {
  if (error instanceof errors.JWTExpired && error.claim === 'exp') return 'token_expired';
  if (error instanceof errors.JWTClaimValidationFailed && error.reason === 'check_failed') {
    if (error.claim === 'nbf') return 'token_not_yet_valid';
    if (error.claim === 'aud') return 'wrong_site';
  }
  return 'invalid_token';
}

function readClaims(payload: JWTPayload, kid: unknown, siteId: string): VerifyVisitTokenResult {
  const { aud, sub, jti, nbf, exp, dn } = payload;
  const visitId = typeof sub === 'string' ? expandUuid(sub) : null;
  const jtiUuid = typeof jti === 'string' ? expandUuid(jti) : null;
  if (
    typeof kid !== 'string' ||
    typeof aud !== 'string' ||
    visitId === null ||
    jtiUuid === null ||
    typeof dn !== 'string' ||
    typeof nbf !== 'number' ||
    typeof exp !== 'number'
  ) {
    return INVALID;
  }
  return {
    ok: true,
    claims: {
      visitId,
      siteId,
      jti: jtiUuid,
      displayName: dn,
      notBefore: new Date(nbf * 1000),
      expiresAt: new Date(exp * 1000),
      kid,
    },
  };
}

/**
 * Verifies a scanned visit token offline. Never throws: any input that is not a valid token signed by one of `keys`
 * gives `invalid_token`; only a correctly signed token can give `token_expired`, `token_not_yet_valid` or
 * `wrong_site`. Whether the visit was cancelled or the jti already used is for the caller to check.
 */
export async function verifyVisitToken(
  token: string,
  options: VerifyVisitTokenOptions,
): Promise<VerifyVisitTokenResult> {
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_INPUT_CHARS) return INVALID;
  try {
    const siteCompact = compactUuid(options.siteId);
    if (siteCompact === null) return INVALID;
    const { payload, protectedHeader } = await jwtVerify(token, resolverFor(options.keys), {
      algorithms: [QR_TOKEN_ALG],
      typ: QR_TOKEN_TYP,
      issuer: options.issuer,
      audience: `${SITE_AUDIENCE_PREFIX}${siteCompact}`,
      requiredClaims: REQUIRED_CLAIMS,
      currentDate: options.now,
      clockTolerance: options.clockToleranceSec ?? DEFAULT_CLOCK_TOLERANCE_SEC,
    });
    return readClaims(payload, protectedHeader.kid, expandUuid(siteCompact)!);
  } catch (error) {
    const reason = failureReason(error);
    const nbf = error instanceof errors.JWTClaimValidationFailed ? error.payload.nbf : undefined;
    return reason === 'token_not_yet_valid' && typeof nbf === 'number'
      ? { ok: false, reason, notBefore: new Date(nbf * 1000) }
      : { ok: false, reason };
  }
}
