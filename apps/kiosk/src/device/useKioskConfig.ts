import { ApiError } from '@atrium/web-kit';
import { useQuery } from '@tanstack/react-query';
import type { KioskApi } from '../api';
import { serverOffsetMs } from './config';
import { deviceKeys } from './keys';
import type { DeviceSession } from './session';
import type { CachedConfig, PairedDevice } from './types';

export const CONFIG_SYNC_INTERVAL_MS = 60_000;

/** Fetches the config, notes the server clock offset from this round trip, and keeps it for offline use. */
export async function syncConfig(api: KioskApi, session: DeviceSession): Promise<CachedConfig> {
  const sentAt = Date.now();
  const config = await api.getConfig();
  const receivedAt = Date.now();
  const cached: CachedConfig = {
    config,
    fetchedAt: receivedAt,
    serverOffsetMs: serverOffsetMs(config.serverTime, sentAt, receivedAt),
  };
  await session.saveConfig(cached);
  return cached;
}

/**
 * The site config, JWKS and revocation list: the stored copy at once, then synced every minute while online and
 * whenever the network comes back. A failed sync keeps the last good copy (its age decides whether scans are trusted).
 */
export function useKioskConfig(api: KioskApi, session: DeviceSession, device: PairedDevice) {
  const stored = session.storedConfigFor(device.kiosk.id);
  return useQuery({
    queryKey: deviceKeys.config(device.kiosk.id),
    queryFn: () => syncConfig(api, session),
    initialData: stored ?? undefined,
    initialDataUpdatedAt: stored?.fetchedAt ?? 0,
    staleTime: CONFIG_SYNC_INTERVAL_MS - 5_000,
    refetchInterval: CONFIG_SYNC_INTERVAL_MS,
    refetchIntervalInBackground: true,
    refetchOnReconnect: 'always',
    // Another minute brings another attempt; a refusal (401, bad config) is not fixed by asking again at once.
    retry: (failures, error) =>
      failures < 2 && (!(error instanceof ApiError) || error.isNetworkError || error.status >= 500),
  });
}
