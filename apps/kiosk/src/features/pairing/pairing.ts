import type { PairingTokenResponse } from '@atrium/protocol';
import { ApiError } from '@atrium/web-kit';
import type { KioskApi } from '../../api';

/** RFC 8628 §3.5: each slow_down adds five seconds to the polling interval for the rest of this code's life. */
export const SLOW_DOWN_STEP_S = 5;

export function pollDelayMs(intervalSeconds: number, slowDowns: number): number {
  return (Math.max(1, intervalSeconds) + SLOW_DOWN_STEP_S * slowDowns) * 1000;
}

export type PollOutcome =
  | Extract<PairingTokenResponse, { status: 'paired' }>
  | { status: 'pending' }
  | { status: 'slow_down' }
  | { status: 'expired' }
  | { status: 'unreachable' };

/** One poll, with every expected answer as a value: only the unexpected throws. */
export async function pollOnce(api: KioskApi, deviceCode: string): Promise<PollOutcome> {
  try {
    return await api.pollPairing(deviceCode);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.code === 'slow_down') return { status: 'slow_down' };
    // 410, or a device code the server no longer knows (400 after a server reset): start over with a new code.
    if (error.status === 410 || error.status === 400) return { status: 'expired' };
    if (error.isNetworkError || error.status >= 500 || error.status === 429) return { status: 'unreachable' };
    throw error;
  }
}

/** "9:41" for the time left on a pairing code. */
export function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const minutes = Math.floor(total / 60);
  return `${minutes}:${String(total % 60).padStart(2, '0')}`;
}

/** Delay before asking for a new code again after a failure: the server's Retry-After, else 2, 4, 8 … 30 s. */
export function startRetryDelayMs(failures: number, error: unknown): number {
  if (error instanceof ApiError && error.retryAfterSeconds) return error.retryAfterSeconds * 1000;
  return Math.min(2 ** Math.max(1, failures) * 1000, 30_000);
}
