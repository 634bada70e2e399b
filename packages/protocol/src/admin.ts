import { z } from 'zod';
import { agentStatusSchema, radiusTotalsSchema } from './agent';
import { auditEventSchema, siteSchema, siteSettingsViewSchema, userSummarySchema } from './auth';
import { kioskSummarySchema } from './kiosk';
import { queryInt } from './primitives';

/**
 * What the server answers the dashboard (and other API clients) beyond the shapes of DESIGN §7.1: one schema per
 * response body, exactly the fields the server sends. Times are ISO 8601 strings.
 */

export const meSchema = userSummarySchema.extend({
  mfaEnabled: z.boolean(),
  /** The user wants an email when their visitor arrives (POST /me/notifications changes it). */
  emailOnArrival: z.boolean(),
  /** The server can send email (SMTP_URL is set): invitations, arrival and WiFi emails go out. */
  emailConfigured: z.boolean(),
});
export type Me = z.infer<typeof meSchema>;

export const totpEnrolmentSchema = z.object({ secret: z.string(), otpauthUri: z.string(), qrSvg: z.string() });
export type TotpEnrolment = z.infer<typeof totpEnrolmentSchema>;

/** Shown once, when two-step sign-in is turned on. */
export const recoveryCodesSchema = z.object({ recoveryCodes: z.array(z.string()) });
export type RecoveryCodes = z.infer<typeof recoveryCodesSchema>;

export const auditPageSchema = z.object({
  items: z.array(auditEventSchema),
  /** The id to pass as `before` for the next (older) page; null on the last one. */
  nextCursor: z.number().int().nullable(),
});
export type AuditPage = z.infer<typeof auditPageSchema>;

export const tenantSettingsSchema = z.object({ retentionDays: z.number().int() });
export type TenantSettings = z.infer<typeof tenantSettingsSchema>;

/** `GET /settings/retention-preview`: what the next purge would delete with this retention. */
export const retentionPreviewQuerySchema = z.object({ retentionDays: queryInt({ min: 1, max: 3650 }) });
export const retentionPreviewSchema = z.object({
  retentionDays: z.number().int(),
  visitors: z.number().int(),
  visits: z.number().int(),
});
export type RetentionPreview = z.infer<typeof retentionPreviewSchema>;

export type SiteSettings = z.infer<typeof siteSettingsViewSchema>;
export const siteWithSettingsSchema = siteSchema.extend({ settings: siteSettingsViewSchema });
export type SiteWithSettings = z.infer<typeof siteWithSettingsSchema>;

export const settingsViewSchema = tenantSettingsSchema.extend({ sites: z.array(siteWithSettingsSchema) });
export type SettingsView = z.infer<typeof settingsViewSchema>;

/** A kiosk's last heartbeat as it reported it (see kioskHeartbeatSchema), stamped with when the server received it. */
export const kioskStatusSchema = z.object({
  appVersion: z.string(),
  /** Check-ins, check-outs and walk-ins waiting in the offline outbox. */
  outboxDepth: z.number().int(),
  /** When the kiosk last fetched its config (keys, revocations) from the server. */
  lastSyncAt: z.string().nullable(),
  /** The browser's own view of the network. */
  online: z.boolean(),
  reportedAt: z.string(),
});
export type KioskStatus = z.infer<typeof kioskStatusSchema>;

export const kioskViewSchema = kioskSummarySchema.extend({
  pairedAt: z.string(),
  lastSeen: z.string().nullable(),
  /** Heartbeats arrived within the last two and a half heartbeat intervals (and not revoked). */
  online: z.boolean(),
  revoked: z.boolean(),
  /** The kiosk's last heartbeat: its version, queue, last config sync and network; null before the first one. */
  status: kioskStatusSchema.nullable(),
});
export type KioskView = z.infer<typeof kioskViewSchema>;

export const pairedKioskSchema = z.object({ kiosk: kioskSummarySchema });

/** The last `agent.status` an agent sent, without its envelope; agents before 0.2 sent no version or process use. */
export const agentStatusViewSchema = agentStatusSchema
  .omit({ v: true, id: true, type: true, features: true })
  .extend({ radius: radiusTotalsSchema.partial().required({ requests: true, accepts: true, rejects: true }) })
  .partial({ agentVersion: true, rssBytes: true, cpuSeconds: true });
export type AgentStatusView = z.infer<typeof agentStatusViewSchema>;

export const agentViewSchema = z.object({
  id: z.uuid(),
  siteId: z.uuid(),
  name: z.string(),
  connected: z.boolean(),
  lastStatus: agentStatusViewSchema.nullable(),
  lastSeen: z.string().nullable(),
  revoked: z.boolean(),
  /** When the agent's client certificate stops working (renew it before then). */
  certificateExpires: z.string(),
  /** The certificate expires within 30 days (never for a revoked agent). */
  certificateExpiring: z.boolean(),
  /** A renewed certificate not used yet: it replaces the current one when the agent first connects with it. */
  pendingCertificateExpires: z.string().nullable(),
  createdAt: z.string(),
});
export type AgentView = z.infer<typeof agentViewSchema>;

/**
 * POST /agents and POST /agents/:id/certificate answer the certificate bundle once (PEM); the private key is never
 * stored, and the dashboard never keeps it in its query cache.
 */
export const registeredAgentSchema = z.object({
  agent: z.object({ id: z.uuid(), siteId: z.uuid(), name: z.string() }),
  /** The published agent image of this server's release (what `docker run` names). */
  image: z.string(),
  bundle: z.object({ cert: z.string(), key: z.string(), ca: z.string() }),
  /** ATRIUM_SERVER_URL is null when this server has no agent endpoint yet (no https PUBLIC_URL, no AGENT_TLS_PORT). */
  env: z.object({
    ATRIUM_SERVER_URL: z.string().nullable(),
    ATRIUM_TENANT_ID: z.uuid(),
    ATRIUM_SITE_ID: z.uuid(),
  }),
});
export type RegisteredAgent = z.infer<typeof registeredAgentSchema>;

export const KEY_PURPOSES = ['access', 'device', 'qr'] as const;
export const keyPurposeSchema = z.enum(KEY_PURPOSES);

/** Key ids per purpose, the signing one first, then those that still verify. */
export const keyListSchema = z.object({
  access: z.array(z.string()),
  device: z.array(z.string()),
  qr: z.array(z.string()),
});
export const keyRotationSchema = z.object({
  purpose: keyPurposeSchema,
  retiredKid: z.string().nullable(),
  currentKid: z.string(),
});

export const erasureResultSchema = z.object({ erased: z.literal(true), visits: z.number().int() });

/** Everything stored about one visitor (subject access request), as a download. */
export const visitorExportSchema = z.object({
  exportedAt: z.string(),
  visitor: z.object({
    id: z.uuid(),
    name: z.string(),
    email: z.string().nullable(),
    company: z.string().nullable(),
    phone: z.string().nullable(),
    createdAt: z.string(),
  }),
  visits: z.array(
    z.object({
      id: z.uuid(),
      site: z.string(),
      status: z.string(),
      expectedArrival: z.string(),
      expectedDeparture: z.string(),
      checkedInAt: z.string().nullable(),
      checkedOutAt: z.string().nullable(),
    }),
  ),
  wifiVouchers: z.array(
    z.object({
      id: z.uuid(),
      visitId: z.uuid(),
      username: z.string(),
      validFrom: z.string(),
      validUntil: z.string(),
      status: z.string(),
    }),
  ),
  wifiSessions: z.array(
    z.object({
      sessionId: z.string(),
      deviceMac: z.string().nullable(),
      ipAddress: z.string().nullable(),
      startedAt: z.string(),
      stoppedAt: z.string().nullable(),
      inputOctets: z.number().nullable(),
      outputOctets: z.number().nullable(),
    }),
  ),
});

/** What personal data the tenant holds, why, how much and for how long (records of processing). */
export const privacyInventorySchema = z.object({
  generatedAt: z.string(),
  categories: z.array(
    z.object({
      category: z.string(),
      data: z.array(z.string()),
      purpose: z.string(),
      records: z.number().int(),
      withEmail: z.number().int().optional(),
      withPhone: z.number().int().optional(),
      retention: z.string(),
    }),
  ),
});
