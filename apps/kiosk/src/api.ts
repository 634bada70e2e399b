import {
  type CheckInResponse,
  type CheckOutResponse,
  type KioskConfig,
  type KioskHeartbeat,
  kioskConfigSchema,
  type PairingStartResponse,
  type PairingTokenResponse,
  type ScanRequest,
  type walkInRequestSchema,
} from '@atrium/protocol';
import { ApiError, errorFromResponse, NETWORK_ERROR, NETWORK_STATUS, readJson } from '@atrium/web-kit';
import type { z } from 'zod';

export type WalkInRequest = z.input<typeof walkInRequestSchema>;

/** A check-in answer; `offline` is set when the server recorded a check-in that waited in the outbox. */
export type CheckInResult = CheckInResponse & { offline?: boolean };
export type { CheckOutResponse };

/** Codes on a 401 that mean this device token will never work again: forget it and pair anew. */
const UNPAIRED_CODES = new Set(['kiosk_revoked', 'invalid_token']);
const GATEWAY_ERRORS = new Set([502, 503, 504]);

export interface KioskApiOptions {
  getToken: () => string | null;
  /** A 401 that ends this pairing; gets the token that was refused, so a newer pairing is not thrown away. */
  onUnpaired?: (token: string) => void;
  /** Whether the server answered the last request at all. */
  onReachable?: (reachable: boolean) => void;
  fetch?: typeof fetch;
  baseUrl?: string;
  timeoutMs?: number;
}

export interface ApiResponse<T> {
  status: number;
  body: T;
}

const KIND_PATHS = { check_in: 'check-ins', check_out: 'check-outs', walk_in: 'walk-ins' } as const;

export type KioskApi = ReturnType<typeof createKioskApi>;

/** The kiosk's one HTTP client for `/api/v1/kiosk/*`. */
export function createKioskApi(options: KioskApiOptions) {
  const baseUrl = options.baseUrl ?? '';
  const timeoutMs = options.timeoutMs ?? 8_000;
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  async function request<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    auth = false,
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const token = auth ? options.getToken() : null;
    if (auth) {
      if (!token) throw new ApiError(401, 'not_paired', 'This kiosk is not paired.');
      headers.authorization = `Bearer ${token}`;
    }
    let res: Response;
    try {
      res = await doFetch(`${baseUrl}/api/v1${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      options.onReachable?.(false);
      throw new ApiError(NETWORK_STATUS, NETWORK_ERROR, error instanceof Error ? error.message : 'Network error');
    }
    // A gateway error is the proxy in front saying the server is down: as unreachable as no answer at all.
    options.onReachable?.(!GATEWAY_ERRORS.has(res.status));
    if (!res.ok) {
      const error = await errorFromResponse(res);
      if (token && res.status === 401 && UNPAIRED_CODES.has(error.code)) options.onUnpaired?.(token);
      throw error;
    }
    return { status: res.status, body: (await readJson(res)) as T };
  }

  return {
    startPairing: async () => (await request<PairingStartResponse>('POST', '/kiosk/pairing', {})).body,
    pollPairing: async (deviceCode: string) =>
      (await request<PairingTokenResponse>('POST', '/kiosk/pairing/token', { deviceCode })).body,
    async getConfig(): Promise<KioskConfig> {
      const { body } = await request<unknown>('GET', '/kiosk/config', undefined, true);
      const parsed = kioskConfigSchema.safeParse(body);
      if (!parsed.success)
        throw new ApiError(502, 'invalid_response', 'The server sent a config this kiosk cannot read.');
      return parsed.data;
    },
    /** Tells the server this kiosk is alive (see device/heartbeat.ts). */
    async heartbeat(body: KioskHeartbeat): Promise<void> {
      await request<unknown>('POST', '/kiosk/heartbeat', body, true);
    },
    /** Checks the site's staff PIN (204, or 403 staff_pin_wrong / staff_pin_not_set, 429 after too many). */
    async staffUnlock(pin: string): Promise<void> {
      await request<unknown>('POST', '/kiosk/staff-unlock', { pin }, true);
    },
    /** Sends one outbox entry; resolves with the status (201, or 200 for a retry the server already handled). */
    submit(kind: keyof typeof KIND_PATHS, body: ScanRequest | WalkInRequest): Promise<ApiResponse<unknown>> {
      return request<unknown>('POST', `/kiosk/${KIND_PATHS[kind]}`, body, true);
    },
  };
}
