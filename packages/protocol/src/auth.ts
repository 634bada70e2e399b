import { z } from 'zod';
import { email, flag, httpsUrl, id, int, languageSchema, queryInt, secret, text, token } from './primitives';

export const ROLE_NAMES = ['tenant_admin', 'site_admin', 'receptionist', 'member'] as const;
export const roleSchema = z.enum(ROLE_NAMES);
export type RoleName = z.infer<typeof roleSchema>;

export const roleGrantSchema = z.object({ role: roleSchema, siteId: id('a site id').nullable().default(null) });
export type RoleGrantInput = z.infer<typeof roleGrantSchema>;

/** No complexity rules (security seed): length only. */
export const passwordSchema = secret({ min: 10, max: 1024 });

/** Sign-in takes any text as the email (an unknown one is just wrong credentials), but never a control character. */
export const loginRequestSchema = z.object({
  email: text({ max: 320 }),
  password: secret({ max: 1024 }),
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
export const loginResponseSchema = z.union([tokenPairSchema, mfaRequiredSchema]);
export type LoginResponse = z.infer<typeof loginResponseSchema>;

/** What the sign-in page needs to know about single sign-on (public). */
export const ssoInfoSchema = z.object({
  enabled: z.boolean(),
  /** Which accounts may still sign in with a password: all, admins only, or only the first admin (break-glass). */
  passwordLogin: z.enum(['all', 'admins', 'off']),
});
export type SsoInfo = z.infer<typeof ssoInfoSchema>;

/** The one-time code the single sign-on callback hands the admin app, traded once for the usual token pair. */
export const ssoExchangeRequestSchema = z.object({ code: secret({ max: 256 }) });

/** The callback's query as the IdP sends it; openid-client reads the whole URL, this only bounds what comes in. */
export const ssoCallbackQuerySchema = z.looseObject({
  code: secret({ max: 4096 }).optional(),
  state: secret({ max: 1024 }).optional(),
  iss: secret({ max: 2000 }).optional(),
  error: secret({ max: 200 }).optional(),
  error_description: secret({ max: 2000 }).optional(),
});

/** Any text short of control characters: a wrong refresh token is a 401 `invalid_token` (contract), not a 400. */
export const refreshRequestSchema = z.object({ refreshToken: secret({ max: 512 }) });
export const logoutRequestSchema = refreshRequestSchema;

const totpCode = text({ max: 16 }).regex(/^\d{6}$/, 'must be the 6-digit code from your authenticator app');

export const mfaRequestSchema = z
  .object({
    mfaToken: token({ max: 4096 }),
    code: totpCode.optional(),
    recoveryCode: text({ max: 64 }).optional(),
  })
  .refine((body) => (body.code === undefined) !== (body.recoveryCode === undefined), {
    message: 'give either code or recoveryCode',
    path: ['code'],
  });

export const totpConfirmSchema = z.object({ code: totpCode });
export const totpDisableSchema = z.object({ password: secret({ max: 1024 }) });
export const changePasswordSchema = z.object({
  currentPassword: secret({ max: 1024 }),
  newPassword: passwordSchema,
});

export const createUserSchema = z.object({
  email: email(),
  name: text({ max: 200 }),
  password: passwordSchema,
  roles: z.array(roleGrantSchema).min(1, 'needs at least one role').max(50),
});
export type CreateUserRequest = z.infer<typeof createUserSchema>;

export const updateUserSchema = z
  .object({
    name: text({ max: 200 }).optional(),
    email: email().optional(),
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

/** How an account signs in: its own password, single sign-on (no password to reset), or both. */
export const SIGN_IN_METHODS = ['password', 'sso', 'both'] as const;

export const userSchema = userSummarySchema.extend({
  status: z.enum(['active', 'disabled']),
  mfaEnabled: z.boolean(),
  createdAt: z.string(),
  signInMethod: z.enum(SIGN_IN_METHODS),
});
export type User = z.infer<typeof userSchema>;

export const siteSchema = z.object({ id: z.uuid(), name: z.string(), timezone: z.string(), wifiSsid: z.string() });
export type Site = z.infer<typeof siteSchema>;

export const auditQuerySchema = z.object({
  action: text({ max: 100 }).optional(),
  actorId: id().optional(),
  targetId: id().optional(),
  outcome: z.enum(['success', 'failure', 'denied']).optional(),
  before: queryInt({ min: 1, max: Number.MAX_SAFE_INTEGER }).optional(),
  limit: queryInt({ min: 1, max: 200 }).default(50),
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
export const timezoneSchema = text({ max: 64 }).refine(
  (tz) => timezones.has(tz),
  'must be an IANA time zone such as Europe/Berlin',
);
/** An SSID is at most 32 bytes on the air, whatever the characters. */
const ssidSchema = text({ max: 32 }).refine(
  (ssid) => new TextEncoder().encode(ssid).length <= 32,
  'must be at most 32 bytes (an SSID limit)',
);

export const siteSettingsViewSchema = z.object({
  maxVisitHours: z.number().int(),
  arrivalToleranceMinutes: z.number().int(),
  walkInsAllowed: z.boolean(),
  keyMaxAgeSeconds: z.number().int(),
  walkInsPerKiosk: z.number().int(),
  walkInsPerSite: z.number().int(),
  walkInWindowMinutes: z.number().int(),
  /** Whether kiosks of this site can be unlocked for staff (the PIN itself is stored hashed and never shown). */
  staffPinSet: z.boolean(),
  language: z.enum(['en', 'de']),
  address: z.string(),
  wifiDetailsEmail: z.boolean(),
  chatWebhookUrl: z.string().nullable(),
});

/** The site's staff PIN for kiosks: 4 to 8 digits. */
export const staffPinSchema = secret({ max: 8 }).regex(/^\d{4,8}$/, 'must be 4 to 8 digits');

export const createSiteSchema = z.object({
  name: text({ max: 200 }),
  timezone: timezoneSchema.default('UTC'),
  wifiSsid: ssidSchema.default('Guest'),
});

export const updateSiteSchema = z
  .object({
    name: text({ max: 200 }).optional(),
    timezone: timezoneSchema.optional(),
    wifiSsid: ssidSchema.optional(),
    maxVisitHours: int({ min: 1, max: 24 * 366 }).optional(),
    arrivalToleranceMinutes: int({ min: 0, max: 24 * 60 }).optional(),
    walkInsAllowed: flag().optional(),
    /** Walk-ins allowed per kiosk and per site in each window of walkInWindowMinutes (429 beyond). */
    walkInsPerKiosk: int({ min: 1, max: 10_000 }).optional(),
    walkInsPerSite: int({ min: 1, max: 100_000 }).optional(),
    walkInWindowMinutes: int({ min: 1, max: 24 * 60 }).optional(),
    keyMaxAgeSeconds: int({ min: 60, max: 30 * 24 * 3600 }).optional(),
    /** Sets the staff PIN that unlocks kiosk staff views; null removes it. */
    staffPin: staffPinSchema.nullable().optional(),
    /** Language of visitor emails (unless the visitor chose one) and of arrival emails to hosts. */
    language: languageSchema.optional(),
    address: text({ max: 500, min: 0, multiline: true }).optional(),
    wifiDetailsEmail: flag().optional(),
    /** A Slack or Microsoft Teams incoming-webhook URL (HTTPS only); null removes it. */
    chatWebhookUrl: httpsUrl().nullable().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'nothing to change', path: ['name'] });

export const updateTenantSettingsSchema = z.object({
  retentionDays: int({ min: 1, max: 3650 }),
});
