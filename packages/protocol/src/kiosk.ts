import { z } from 'zod';
import type { ErrorCode } from './errors';
import { flag, id, int, secret, text, timestamp, token } from './primitives';
import { visitorInputSchema, voucherSchema } from './visits';

export const pairingStartResponseSchema = z.object({
  code: z.string().regex(/^\d{6}$/),
  deviceCode: z.string(),
  expiresIn: z.number().int(),
  interval: z.number().int(),
});
export type PairingStartResponse = z.infer<typeof pairingStartResponseSchema>;

export const pairingTokenRequestSchema = z.object({ deviceCode: token({ max: 200 }) });

export const kioskSummarySchema = z.object({ id: z.uuid(), name: z.string(), siteId: z.uuid() });
export type KioskSummary = z.infer<typeof kioskSummarySchema>;

export const pairingTokenResponseSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('pending') }),
  z.object({ status: z.literal('paired'), deviceToken: z.string(), kiosk: kioskSummarySchema }),
]);
export type PairingTokenResponse = z.infer<typeof pairingTokenResponseSchema>;

export const pairKioskSchema = z.object({
  code: text({ max: 16 }).regex(/^\d{6}$/, 'must be the 6-digit code shown on the kiosk'),
  siteId: id('a site id'),
  name: text({ max: 100 }),
});

export const kioskSiteSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  timezone: z.string(),
  wifiSsid: z.string(),
  walkInsAllowed: z.boolean(),
});

export const kioskConfigSchema = z.object({
  site: kioskSiteSchema,
  /** Issuer the kiosk pins when verifying QR tokens locally. */
  issuer: z.string(),
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }),
  serverTime: z.string(),
  revokedJtis: z.array(z.string()),
  keyMaxAgeSeconds: z.number().int(),
  /**
   * How often the kiosk reports its heartbeat; staff see it as offline after two and a half missed beats. The server
   * always sends it; optional because a kiosk keeps its last config (of this type) across upgrades, and one stored
   * before heartbeats existed has none.
   */
  heartbeatSeconds: z.number().int().optional(),
});
export type KioskConfig = z.infer<typeof kioskConfigSchema>;

/** `POST /kiosk/heartbeat`: what a kiosk says about itself every heartbeatSeconds and after each sync. */
export const kioskHeartbeatSchema = z.object({
  appVersion: text({ max: 64 }),
  /** Check-ins, check-outs and walk-ins waiting in the offline outbox. */
  outboxDepth: int({ min: 0, max: 1_000_000 }),
  /** When the kiosk last fetched its config (keys, revocations) from the server. */
  lastSyncAt: timestamp().nullable(),
  /** The browser's own view of the network. */
  online: flag(),
});
export type KioskHeartbeat = z.infer<typeof kioskHeartbeatSchema>;

export const scanRequestSchema = z.object({
  token: token({ max: 4096 }),
  idempotencyKey: id('a UUID the kiosk made for this scan'),
  occurredAt: timestamp(),
  /**
   * The kiosk accepted this scan without the server (verified locally, sent later). Optional: the server also counts a
   * scan as offline when it arrives more than a minute after `occurredAt`.
   */
  offline: flag().optional(),
});
export type ScanRequest = z.infer<typeof scanRequestSchema>;

export const checkInResponseSchema = z.object({
  visitId: z.uuid(),
  displayName: z.string(),
  voucher: voucherSchema,
});
export type CheckInResponse = z.infer<typeof checkInResponseSchema>;

/** A kiosk's check-in answers `offline: true` as well when the scan counted as offline. */
export const kioskCheckInResponseSchema = checkInResponseSchema.extend({ offline: z.literal(true).optional() });

export const checkOutResponseSchema = z.object({ visitId: z.uuid(), status: z.literal('checked_out') });
export type CheckOutResponse = z.infer<typeof checkOutResponseSchema>;

export const walkInRequestSchema = z.object({
  visitor: visitorInputSchema,
  hostName: text({ max: 200, min: 0 }).optional(),
  idempotencyKey: id('a UUID the kiosk made for this walk-in'),
  occurredAt: timestamp(),
  offline: flag().optional(),
});

/** `POST /kiosk/staff-unlock`: the site's staff PIN, typed in at the kiosk to open what only staff may see. */
export const staffUnlockRequestSchema = z.object({ pin: secret({ max: 64 }) });

/** Codes the kiosk shows a human message for (de + en). */
export const KIOSK_ERROR_CODES = [
  'invalid_token',
  'token_expired',
  'token_not_yet_valid',
  'wrong_site',
  'already_used',
  'visit_cancelled',
  'not_checked_in',
  'kiosk_revoked',
  'walk_ins_disabled',
  'not_found',
  'rate_limited',
] as const satisfies readonly ErrorCode[];
export type KioskErrorCode = (typeof KIOSK_ERROR_CODES)[number];
