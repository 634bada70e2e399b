import { z } from 'zod';

export const ROLE_NAMES = ['tenant_admin', 'site_admin', 'receptionist', 'member'] as const;
export const roleSchema = z.enum(ROLE_NAMES);
export type RoleName = z.infer<typeof roleSchema>;

export const roleGrantSchema = z.object({ role: roleSchema, siteId: z.uuid().nullable().default(null) });
export type RoleGrantInput = z.infer<typeof roleGrantSchema>;

const email = z.string().trim().toLowerCase().pipe(z.email('must be an email address').max(320));
/** No complexity rules (security seed): length only. */
export const passwordSchema = z
  .string({ error: 'is required' })
  .min(10, 'must be at least 10 characters')
  .max(1024, 'must be at most 1024 characters');

export const loginRequestSchema = z.object({
  email: z.string({ error: 'is required' }).trim().min(1, 'is required').max(320),
  password: z.string({ error: 'is required' }).min(1, 'is required').max(1024),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const userSummarySchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  roles: z.array(z.object({ role: roleSchema, siteId: z.uuid().nullable() })),
});
export type UserSummary = z.infer<typeof userSummarySchema>;

export const tokenPairSchema = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  expiresIn: z.number().int(),
  user: userSummarySchema,
  /** Present (true) when the password was temporary: the session can only reach GET /me and POST /me/password. */
  passwordChangeRequired: z.literal(true).optional(),
});
export type TokenPair = z.infer<typeof tokenPairSchema>;

export const mfaRequiredSchema = z.object({ mfaRequired: z.literal(true), mfaToken: z.string() });
export type LoginResponse = TokenPair | z.infer<typeof mfaRequiredSchema>;

export const refreshRequestSchema = z.object({ refreshToken: z.string({ error: 'is required' }).min(1).max(512) });
export const logoutRequestSchema = refreshRequestSchema;

export const mfaRequestSchema = z
  .object({
    mfaToken: z.string({ error: 'is required' }).min(1).max(4096),
    code: z
      .string()
      .trim()
      .regex(/^\d{6}$/, 'must be the 6-digit code from your authenticator app')
      .optional(),
    recoveryCode: z.string().trim().min(1).max(64).optional(),
  })
  .refine((body) => (body.code === undefined) !== (body.recoveryCode === undefined), {
    message: 'give either code or recoveryCode',
    path: ['code'],
  });

export const totpConfirmSchema = z.object({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, 'must be the 6-digit code from your authenticator app'),
});
export const totpDisableSchema = z.object({ password: z.string().min(1).max(1024) });
export const changePasswordSchema = z.object({
  currentPassword: z.string().min(1).max(1024),
  newPassword: passwordSchema,
});

export const createUserSchema = z.object({
  email,
  name: z.string().trim().min(1, 'is required').max(200),
  password: passwordSchema,
  roles: z.array(roleGrantSchema).min(1, 'needs at least one role').max(50),
});
export type CreateUserRequest = z.infer<typeof createUserSchema>;

export const updateUserSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    status: z.enum(['active', 'disabled']).optional(),
    /** Refused by the server (400 naming it): use the one-time password reset instead. */
    password: z.unknown().optional(),
    roles: z.array(roleGrantSchema).min(1).max(50).optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'nothing to change', path: ['name'] });

export const passwordResetSchema = z.object({
  temporaryPassword: z.string(),
  passwordChangeRequired: z.literal(true),
});
export type PasswordReset = z.infer<typeof passwordResetSchema>;

export const userSchema = userSummarySchema.extend({
  status: z.enum(['active', 'disabled']),
  mfaEnabled: z.boolean(),
  createdAt: z.string(),
});
export type User = z.infer<typeof userSchema>;

export const siteSchema = z.object({ id: z.uuid(), name: z.string(), timezone: z.string(), wifiSsid: z.string() });
export type Site = z.infer<typeof siteSchema>;

export const auditQuerySchema = z.object({
  action: z.string().max(100).optional(),
  actorId: z.uuid().optional(),
  targetId: z.uuid().optional(),
  outcome: z.enum(['success', 'failure', 'denied']).optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const auditEventSchema = z.object({
  id: z.number(),
  occurredAt: z.string(),
  actorType: z.string(),
  actorId: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  outcome: z.string(),
  ip: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEventView = z.infer<typeof auditEventSchema>;

const timezones = new Set(Intl.supportedValuesOf('timeZone').concat('UTC'));
export const timezoneSchema = z
  .string()
  .refine((tz) => timezones.has(tz), 'must be an IANA time zone such as Europe/Berlin');

export const siteSettingsViewSchema = z.object({
  maxVisitHours: z.number().int(),
  arrivalToleranceMinutes: z.number().int(),
  walkInsAllowed: z.boolean(),
  keyMaxAgeSeconds: z.number().int(),
  walkInsPerKiosk: z.number().int(),
  walkInsPerSite: z.number().int(),
  walkInWindowMinutes: z.number().int(),
});

export const createSiteSchema = z.object({
  name: z.string().trim().min(1, 'is required').max(200),
  timezone: timezoneSchema.default('UTC'),
  wifiSsid: z.string().trim().min(1).max(32, 'must be at most 32 bytes (an SSID limit)').default('Guest'),
});

export const updateSiteSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    timezone: timezoneSchema.optional(),
    wifiSsid: z.string().trim().min(1).max(32, 'must be at most 32 bytes (an SSID limit)').optional(),
    maxVisitHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 366)
      .optional(),
    arrivalToleranceMinutes: z
      .number()
      .int()
      .min(0)
      .max(24 * 60)
      .optional(),
    walkInsAllowed: z.boolean().optional(),
    /** Walk-ins allowed per kiosk and per site in each window of walkInWindowMinutes (429 beyond). */
    walkInsPerKiosk: z.number().int().min(1).max(10_000).optional(),
    walkInsPerSite: z.number().int().min(1).max(100_000).optional(),
    walkInWindowMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .optional(),
    keyMaxAgeSeconds: z
      .number()
      .int()
      .min(60)
      .max(30 * 24 * 3600)
      .optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'nothing to change', path: ['name'] });

export const updateTenantSettingsSchema = z.object({
  retentionDays: z.number().int().min(1, 'must be at least 1 day').max(3650),
});
