import type { ScanRequest } from '@atrium/protocol';
import { shortDisplayName, signVisitToken, verifyVisitToken } from '@atrium/qr-token';
import { decodeProtectedHeader } from 'jose';
import type { KeyRing, Signer } from '../auth/keys';
import type { Database, Tx } from '../db';
import { invalidInput, unprocessable } from '../http/errors';
import { siteSettings } from './settings';

/** The short issuer inside QR tokens (every byte counts toward the QR version). */
export const QR_ISSUER = 'atrium';
/** A check-in whose occurredAt lags the request by more than this was queued offline. */
const OFFLINE_LAG_MS = 60_000;
/** Queued check-ins older than this are refused: the visitor has long gone through reception. */
const MAX_QUEUE_AGE_MS = 72 * 3600 * 1000;

/**
 * Signs the visit's current QR token (same jti every time; a fresh signature with the tenant's current key, which the
 * caller gets from `keys.qrSigningKey` before opening the tenant transaction).
 */
export async function qrTokenFor(tx: Tx, signer: Signer, visitId: string): Promise<string | undefined> {
  const row = await tx
    .selectFrom('qr_tokens as q')
    .innerJoin('visits as v', 'v.id', 'q.visit_id')
    .innerJoin('visitors as p', 'p.id', 'v.visitor_id')
    .innerJoin('sites as s', 's.id', 'v.site_id')
    .select(['q.jti', 'v.site_id', 'v.expected_arrival', 'v.expected_departure', 'p.name', 's.settings'])
    .where('q.visit_id', '=', visitId)
    .where('q.revoked_at', 'is', null)
    .orderBy('q.issued_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return undefined;
  const tolerance = siteSettings(row.settings).arrivalToleranceMinutes * 60_000;
  return signVisitToken({
    privateKey: signer.privateKey,
    kid: signer.kid,
    issuer: QR_ISSUER,
    siteId: row.site_id,
    visitId,
    jti: row.jti,
    notBefore: new Date(row.expected_arrival.getTime() - tolerance),
    expiresAt: row.expected_departure,
    displayName: shortDisplayName(row.name),
  });
}

/** The visit's current QR token, freshly signed; undefined when it has none left (used, replaced or cancelled). */
export async function visitQrToken(
  deps: { db: Database; keys: KeyRing },
  tenantId: string,
  visitId: string,
): Promise<string | undefined> {
  const signer = await deps.keys.qrSigningKey(tenantId);
  return deps.db.withTenant(tenantId, (tx) => qrTokenFor(tx, signer, visitId));
}

type VerifiedScan = { visitId: string; jti: string; displayName: string };

/** The kid a token names, if it is readable at all (the verifier refuses everything else). */
function kidOf(token: string): string | undefined {
  try {
    const { kid } = decodeProtectedHeader(token);
    return typeof kid === 'string' ? kid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies a scanned QR token for this site at the moment of the scan with the keys of the kiosk's tenant only (a
 * code of another tenant is not a valid code here), mapping failures to the contract's 422s.
 */
export async function verifyScan(
  keys: KeyRing,
  scope: { tenantId: string; siteId: string },
  token: string,
  at: Date,
): Promise<VerifiedScan> {
  const result = await verifyVisitToken(token, {
    keys: await keys.qrVerificationKeys(scope.tenantId, kidOf(token)),
    issuer: QR_ISSUER,
    siteId: scope.siteId,
    now: at,
  });
  if (!result.ok) {
    const messages = {
      invalid_token: 'This is not a valid Atrium visitor code.',
      token_expired: 'This visitor code has expired.',
      token_not_yet_valid: 'This visitor code is not valid yet. Please come back closer to your arrival time.',
      wrong_site: 'This visitor code is for another location.',
    } as const;
    throw unprocessable(result.reason, messages[result.reason]);
  }
  return { visitId: result.claims.visitId, jti: result.claims.jti, displayName: result.claims.displayName };
}

/**
 * When the scan happened: the kiosk's time, bounded (a queued scan may be old, but not days old or in the future).
 * Offline when the kiosk says it accepted the scan without us, or when it reaches us well after it happened.
 */
export function scanTime(now: Date, occurredAt: string, acceptedOffline = false): { at: Date; offline: boolean } {
  const at = new Date(occurredAt);
  if (at.getTime() > now.getTime() + 2 * 60_000) throw invalidInput('occurredAt', 'is in the future');
  if (now.getTime() - at.getTime() > MAX_QUEUE_AGE_MS) throw invalidInput('occurredAt', 'is more than 72 hours ago');
  return { at, offline: acceptedOffline || now.getTime() - at.getTime() > OFFLINE_LAG_MS };
}

/** A kiosk's scan of a visitor code: when it happened (and whether offline) and what the code says. */
export async function readScan(
  deps: { keys: KeyRing; now: () => Date },
  kiosk: { tenantId: string; siteId: string },
  scan: ScanRequest,
) {
  const { at, offline } = scanTime(deps.now(), scan.occurredAt, scan.offline);
  return { at, offline, ...(await verifyScan(deps.keys, kiosk, scan.token, at)) };
}
