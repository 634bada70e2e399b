import type { KioskConfig } from '@atrium/protocol';
import { describe, expect, it } from 'vitest';
import { isClockSkewed, isConfigStale, serverNow, serverOffsetMs } from './config';
import type { CachedConfig } from './types';

const config: KioskConfig = {
  site: {
    id: '6f1c2a4e-8b3d-4f5a-9c7e-1d2b3a4c5e6f',
    name: 'HQ',
    timezone: 'Europe/Berlin',
    wifiSsid: 'Guest',
    walkInsAllowed: true,
  },
  issuer: 'atrium',
  jwks: { keys: [] },
  serverTime: '2025-03-10T12:00:00.000Z',
  revokedJtis: [],
  keyMaxAgeSeconds: 3600,
};

const cachedAt = (fetchedAt: number, serverOffsetMs = 0): CachedConfig => ({ config, fetchedAt, serverOffsetMs });

describe('server clock offset', () => {
  it('places the server time in the middle of the round trip', () => {
    const server = Date.parse('2025-03-10T12:00:00.000Z');
    expect(serverOffsetMs('2025-03-10T12:00:00.000Z', server - 5_000, server - 4_000)).toBe(4_500);
    expect(serverOffsetMs('2025-03-10T12:00:00.000Z', server + 180_000, server + 180_200)).toBe(-180_100);
    expect(serverOffsetMs('not a time', 0, 10)).toBe(0);
  });

  it('gives the server time for a device time', () => {
    expect(serverNow(cachedAt(0, 90_000), 1_000)).toBe(91_000);
    expect(serverNow(null, 1_000)).toBe(1_000);
  });

  it('warns only when the clocks differ by more than two minutes', () => {
    expect(isClockSkewed(cachedAt(0, 120_000))).toBe(false);
    expect(isClockSkewed(cachedAt(0, -120_001))).toBe(true);
    expect(isClockSkewed(cachedAt(0, 121_000))).toBe(true);
    expect(isClockSkewed(null)).toBe(false);
  });
});

describe('config age', () => {
  it('is stale after keyMaxAgeSeconds, when missing, or when the clock jumped back', () => {
    const fetchedAt = 1_000_000_000;
    expect(isConfigStale(cachedAt(fetchedAt), fetchedAt + 3600_000)).toBe(false);
    expect(isConfigStale(cachedAt(fetchedAt), fetchedAt + 3600_001)).toBe(true);
    expect(isConfigStale(null, fetchedAt)).toBe(true);
    expect(isConfigStale(cachedAt(fetchedAt), fetchedAt - 60_000)).toBe(false);
    expect(isConfigStale(cachedAt(fetchedAt), fetchedAt - 10 * 60_000)).toBe(true);
  });
});
