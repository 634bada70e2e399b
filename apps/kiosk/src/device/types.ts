import type { KioskConfig, KioskSummary } from '@atrium/protocol';

/** The kiosk's identity after pairing: the 1-year device token and what it was paired as. */
export interface PairedDevice {
  token: string;
  kiosk: KioskSummary;
  pairedAt: number;
}

/** The last config the server sent, with when (device clock) and how far the server's clock is from ours. */
export interface CachedConfig {
  config: KioskConfig;
  fetchedAt: number;
  serverOffsetMs: number;
}
