import { z } from 'zod';
import type { Tx } from '../db';
import type { LimitRule } from '../http/rate-limit';

/** Per-site settings with their defaults; stored as jsonb so new settings need no migration. */
export const siteSettingsSchema = z.object({
  maxVisitHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 366)
    .default(24),
  arrivalToleranceMinutes: z
    .number()
    .int()
    .min(0)
    .max(24 * 60)
    .default(60),
  walkInsAllowed: z.boolean().default(false),
  /** Walk-ins one kiosk / the whole site may register per window; each one is a visit with WiFi for hours. */
  walkInsPerKiosk: z.number().int().min(1).max(10_000).default(10),
  walkInsPerSite: z.number().int().min(1).max(100_000).default(30),
  walkInWindowMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(10),
  /** A kiosk refuses to verify QR codes with keys it fetched longer ago than this. */
  keyMaxAgeSeconds: z
    .number()
    .int()
    .min(60)
    .max(30 * 24 * 3600)
    .default(7 * 24 * 3600),
  /** argon2id of the PIN that unlocks a kiosk's staff views; null while none is set. */
  staffPinHash: z.string().nullable().default(null),
  /** The language of emails to visitors who chose none, and of arrival emails to hosts. */
  language: z.enum(['en', 'de']).default('en'),
  /** The site's postal address, printed in invitations (several lines). */
  address: z.string().max(500).default(''),
  /** Email the visitor their WiFi details on check-in (when email is configured). */
  wifiDetailsEmail: z.boolean().default(true),
  /** A Slack or Microsoft Teams incoming-webhook URL (HTTPS) told about each arrival; null for none. */
  chatWebhookUrl: z.string().startsWith('https://').nullable().default(null),
});
export type SiteSettings = z.infer<typeof siteSettingsSchema>;

export function siteSettings(raw: unknown): SiteSettings {
  const parsed = siteSettingsSchema.safeParse(raw ?? {});
  return parsed.success ? parsed.data : siteSettingsSchema.parse({});
}

/** A site with its settings (defaults filled in), or undefined when the tenant has no such site. */
export async function loadSite(tx: Tx, siteId: string) {
  const site = await tx
    .selectFrom('sites')
    .select(['id', 'name', 'timezone', 'wifi_ssid', 'settings'])
    .where('id', '=', siteId)
    .executeTakeFirst();
  return site && { ...site, settings: siteSettings(site.settings) };
}

/** The walk-in limits of a site, per kiosk and for the whole site. */
export function walkInLimits(settings: SiteSettings, kioskId: string, siteId: string): LimitRule[] {
  const windowSeconds = settings.walkInWindowMinutes * 60;
  return [
    { key: `walkIn:kiosk:${kioskId}`, limit: settings.walkInsPerKiosk, windowSeconds },
    { key: `walkIn:site:${siteId}`, limit: settings.walkInsPerSite, windowSeconds },
  ];
}
