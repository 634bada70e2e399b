// Shared by the *.test.ts files of the kiosk: a real QR signing key and a config as the server would send it.
import type { KioskConfig } from '@atrium/protocol';
import { generateQrKeyPair, type QrKeyPair, signVisitToken } from '@atrium/qr-token';
import type { CachedConfig } from '../device/types';

export const ISSUER = 'atrium';
export const SITE_ID = '6f1c2a4e-8b3d-4f5a-9c7e-1d2b3a4c5e6f';
export const OTHER_SITE_ID = '0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d';
export const VISIT_ID = 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f';
export const JTI = '5b0e7c1a-2f3d-4e8b-9a6c-7d1e2f3a4b5c';
export const NOT_BEFORE = Date.parse('2025-03-10T08:45:00Z');
export const EXPIRES_AT = Date.parse('2025-03-10T18:00:00Z');
export const DURING_VISIT = Date.parse('2025-03-10T12:00:00Z');

export function signToken(pair: QrKeyPair, overrides: { siteId?: string; jti?: string; expiresAt?: number } = {}) {
  return signVisitToken({
    privateKey: pair.privateKey,
    kid: pair.publicJwk.kid,
    issuer: ISSUER,
    siteId: overrides.siteId ?? SITE_ID,
    visitId: VISIT_ID,
    jti: overrides.jti ?? JTI,
    notBefore: new Date(NOT_BEFORE),
    expiresAt: new Date(overrides.expiresAt ?? EXPIRES_AT),
    displayName: 'Ada L.',
  });
}

/** A config fetched at `fetchedAt` (device clock) from a server whose clock is `offsetMs` ahead. */
export function cachedConfig(
  pair: QrKeyPair,
  options: { fetchedAt?: number; offsetMs?: number; revokedJtis?: string[]; keyMaxAgeSeconds?: number } = {},
): CachedConfig {
  const offsetMs = options.offsetMs ?? 0;
  const fetchedAt = options.fetchedAt ?? DURING_VISIT - offsetMs;
  const config: KioskConfig = {
    site: { id: SITE_ID, name: 'HQ', timezone: 'Europe/Berlin', wifiSsid: 'Atrium Guest', walkInsAllowed: true },
    issuer: ISSUER,
    jwks: { keys: [{ ...pair.publicJwk }] },
    serverTime: new Date(fetchedAt + offsetMs).toISOString(),
    revokedJtis: options.revokedJtis ?? [],
    keyMaxAgeSeconds: options.keyMaxAgeSeconds ?? 7 * 24 * 3600,
  };
  return { config, fetchedAt, serverOffsetMs: offsetMs };
}

export { generateQrKeyPair, type QrKeyPair };
