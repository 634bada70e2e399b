import { z } from 'zod';

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
  /** A kiosk refuses to verify QR codes with keys it fetched longer ago than this. */
  keyMaxAgeSeconds: z
    .number()
    .int()
    .min(60)
    .max(30 * 24 * 3600)
    .default(7 * 24 * 3600),
});
export type SiteSettings = z.infer<typeof siteSettingsSchema>;

export function siteSettings(raw: unknown): SiteSettings {
  const parsed = siteSettingsSchema.safeParse(raw ?? {});
  return parsed.success ? parsed.data : siteSettingsSchema.parse({});
}
