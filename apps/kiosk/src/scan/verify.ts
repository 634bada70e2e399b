import { type VisitTokenClaims, type VisitTokenFailure, verifyVisitToken } from '@atrium/qr-token';
import { isConfigStale, serverNow } from '../device/config';
import type { CachedConfig } from '../device/types';
import { measureVerify } from '../flow/timing';

export type ScanMode = 'check_in' | 'check_out';

/** Why a scan is refused before anything is sent. */
export type LocalRefusal = VisitTokenFailure | 'visit_cancelled' | 'already_used' | 'kiosk_must_reconnect';

export type LocalVerdict =
  | { ok: true; claims: VisitTokenClaims; serverNow: number }
  | { ok: false; reason: LocalRefusal; notBefore?: Date };

export interface VerifyScanInput {
  token: string;
  mode: ScanMode;
  cached: CachedConfig | null;
  /** Device clock, ms. */
  deviceNow: number;
  /** Whether this kiosk already checked someone in with this jti. */
  isUsed: (jti: string) => Promise<boolean>;
}

const revokedSets = new WeakMap<readonly string[], Set<string>>();

function revoked(list: readonly string[]): Set<string> {
  let set = revokedSets.get(list);
  if (!set) {
    set = new Set(list.map((jti) => jti.toLowerCase()));
    revokedSets.set(list, set);
  }
  return set;
}

/**
 * Checks a scanned code on the kiosk, before any network call: signature against the cached JWKS, issuer, site and
 * validity window at server time, then the synced revocation list and this kiosk's own used jtis (check-in only; a
 * check-out scans the same code again). Keys older than the site's maximum age are not trusted at all.
 */
export async function verifyScan(input: VerifyScanInput): Promise<LocalVerdict> {
  const { cached, deviceNow } = input;
  if (cached === null || isConfigStale(cached, deviceNow)) return { ok: false, reason: 'kiosk_must_reconnect' };
  const now = serverNow(cached, deviceNow);
  const started = performance.now();
  const result = await verifyVisitToken(input.token.trim(), {
    keys: cached.config.jwks as Parameters<typeof verifyVisitToken>[1]['keys'],
    issuer: cached.config.issuer,
    siteId: cached.config.site.id,
    now: new Date(now),
  });
  measureVerify(started);
  if (!result.ok) return result;
  if (revoked(cached.config.revokedJtis).has(result.claims.jti)) return { ok: false, reason: 'visit_cancelled' };
  if (input.mode === 'check_in' && (await input.isUsed(result.claims.jti)))
    return { ok: false, reason: 'already_used' };
  return { ok: true, claims: result.claims, serverNow: now };
}
