import type { CachedConfig } from './types';

/** Beyond this difference between the tablet's clock and the server's, staff are asked to fix the clock. */
export const CLOCK_SKEW_WARNING_MS = 2 * 60_000;

/**
 * How far the server's clock is ahead of ours, from one request: the server's time is taken to belong to the middle
 * of the round trip.
 */
export function serverOffsetMs(serverTime: string, sentAt: number, receivedAt: number): number {
  const server = Date.parse(serverTime);
  if (!Number.isFinite(server)) return 0;
  return Math.round(server - (sentAt + receivedAt) / 2);
}

/** The server's idea of now, which is what tokens are checked against and what occurredAt reports. */
export function serverNow(cached: CachedConfig | null, deviceNow: number): number {
  return deviceNow + (cached?.serverOffsetMs ?? 0);
}

export function isClockSkewed(cached: CachedConfig | null): boolean {
  return cached !== null && Math.abs(cached.serverOffsetMs) > CLOCK_SKEW_WARNING_MS;
}

/**
 * Keys (and the revocation list) older than the site's maximum age must not be trusted: the kiosk refuses scans until
 * it reconnects. A clock that jumped back before the fetch also counts as stale, since the age is then unknown.
 */
export function isConfigStale(cached: CachedConfig | null, deviceNow: number): boolean {
  if (cached === null) return true;
  const age = deviceNow - cached.fetchedAt;
  const max = cached.config.keyMaxAgeSeconds * 1000;
  return age > max || age < -CLOCK_SKEW_WARNING_MS;
}
