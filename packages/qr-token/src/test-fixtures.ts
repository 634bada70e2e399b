// Shared by the *.test.ts files of this package; not exported from index.ts.
import { base64url, type CryptoKey } from 'jose';
import type { QrKeyPair } from './keys';
import type { SignVisitTokenInput } from './sign';

export const ISSUER = 'atrium';
export const SITE_ID = '6f1c2a4e-8b3d-4f5a-9c7e-1d2b3a4c5e6f';
export const OTHER_SITE_ID = '0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d';
export const VISIT_ID = 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f';
export const JTI = '5b0e7c1a-2f3d-4e8b-9a6c-7d1e2f3a4b5c';
export const NOT_BEFORE = new Date('2025-03-10T08:45:00Z');
export const EXPIRES_AT = new Date('2025-03-10T18:00:00Z');
export const DURING_VISIT = new Date('2025-03-10T12:00:00Z');

export function keySet(...pairs: QrKeyPair[]) {
  return { keys: pairs.map((p) => p.publicJwk) };
}

export function visitInput(pair: QrKeyPair, overrides: Partial<SignVisitTokenInput> = {}): SignVisitTokenInput {
  return {
    privateKey: pair.privateKey,
    kid: pair.publicJwk.kid,
    issuer: ISSUER,
    siteId: SITE_ID,
    visitId: VISIT_ID,
    jti: JTI,
    notBefore: NOT_BEFORE,
    expiresAt: EXPIRES_AT,
    displayName: 'Ada L.',
    ...overrides,
  };
}

/** Signs any header and payload with Ed25519 via WebCrypto, bypassing every check, to build malformed tokens. */
export async function signRaw(privateKey: CryptoKey, header: Record<string, unknown>, payload: unknown) {
  const input = `${encodeSegment({ alg: 'EdDSA', ...header })}.${encodeSegment(payload)}`;
  const signature = await crypto.subtle.sign('Ed25519', privateKey, new TextEncoder().encode(input));
  return `${input}.${base64url.encode(new Uint8Array(signature))}`;
}

export function decodeSegment(segment: string | undefined): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(base64url.decode(segment ?? '')));
}

export function encodeSegment(value: unknown): string {
  return base64url.encode(JSON.stringify(value));
}
