import fs from 'node:fs';
import path from 'node:path';
import proxyaddr from 'proxy-addr';
import { z } from 'zod';
import { oidcSchema, oidcSettings } from './auth/oidc-config';
import { parseSecretKey } from './crypto/secret-box';
import { passwordProblem } from './tenancy/passwords';

/** The server's whole configuration. Nothing else reads process.env. */
export type Config = z.output<typeof configSchema>;

const port = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be a whole number')
  .min(1, 'must be between 1 and 65535')
  .max(65535, 'must be between 1 and 65535');

const postgresUrl = z
  .string()
  .trim()
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be a postgres:// or postgresql:// URL with a host, e.g. postgres://atrium@db:5432/atrium');

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);

/** smtp://user:pass@host:587 (STARTTLS when offered; ?tls=required refuses plain) or smtps://user:pass@host:465. */
const smtpUrl = z
  .string()
  .trim()
  .refine((value) => {
    try {
      const url = new URL(value);
      const tls = url.searchParams.get('tls');
      return (
        (url.protocol === 'smtp:' || url.protocol === 'smtps:') &&
        url.hostname !== '' &&
        (tls === null || (tls === 'required' && url.protocol === 'smtp:'))
      );
    } catch {
      return false;
    }
  }, 'must be smtp://user:pass@host:587 (optionally ?tls=required) or smtps://user:pass@host:465');

const configSchema = z
  .object({
    PORT: port.default(8080),
    HOST: z.string().min(1).default('0.0.0.0'),
    PUBLIC_URL: z.url({ error: 'must be an absolute URL such as https://atrium.example.com' }).optional(),
    DATABASE_URL: z.preprocess(emptyAsUndefined, postgresUrl.optional()),
    DATA_DIR: z.string().min(1).default('./data'),
    AGENT_TLS_PORT: z.preprocess(emptyAsUndefined, port.optional()),
    /** Where the server writes the instance CA certificate for a proxy to trust (default DATA_DIR/ca.pem). */
    AGENT_CA_CERT_FILE: z.preprocess(emptyAsUndefined, z.string().min(1).optional()),
    /** Lifetime of new agent certificates. */
    AGENT_CERT_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
    TRUSTED_PROXY: z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean),
      )
      .refine(
        (entries) => {
          try {
            proxyaddr.compile(entries);
            return true;
          } catch {
            return false;
          }
        },
        { error: 'must be a comma-separated list of IP addresses or CIDR ranges, e.g. 172.29.53.2' },
      ),
    /** Registry (and namespace) of the published images; the dashboard's `docker run` names the agent image there. */
    ATRIUM_IMAGE_REGISTRY: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .regex(/^[a-z0-9][a-z0-9.:-]*(\/[a-z0-9._-]+)*$/, 'must be a registry path such as ghcr.io/acme')
        .optional(),
    ),
    /** How often kiosks report a heartbeat; the admin app shows a kiosk offline after two and a half missed beats. */
    KIOSK_HEARTBEAT_SECONDS: z.coerce
      .number({ error: 'must be a number of seconds' })
      .int('must be a whole number of seconds')
      .min(5, 'must be at least 5')
      .max(600, 'must be at most 600')
      .default(30),
    /** Opens GET /metrics to a scraper that sends it as a bearer token; unset, only direct local requests get metrics. */
    METRICS_TOKEN: z.preprocess(
      emptyAsUndefined,
      z.string().min(16, 'must be at least 16 characters (e.g. openssl rand -hex 24)').max(512).optional(),
    ),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ATRIUM_ADMIN_EMAIL: z.email({ error: 'must be an email address' }).default('admin@localhost'),
    ATRIUM_ADMIN_PASSWORD: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .min(10, 'must be at least 10 characters')
        .max(1024, 'must be at most 1024 characters')
        .superRefine((value, ctx) => {
          const problem = passwordProblem(value);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        })
        .optional(),
    ),
    ATRIUM_SECRET_KEY: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .transform((value, ctx) => {
          const key = parseSecretKey(value);
          if (!key)
            ctx.addIssue({
              code: 'custom',
              message: 'must be 32 bytes as base64 or hex (e.g. openssl rand -base64 32)',
            });
          return key ?? z.NEVER;
        })
        .optional(),
    ),
    /** Unset: email is off (invitations, arrival notices and WiFi details are not sent). */
    SMTP_URL: z.preprocess(emptyAsUndefined, smtpUrl.optional()),
    /** The sender of every email, e.g. `Atrium <visitors@example.com>`; required with SMTP_URL. */
    SMTP_FROM: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .trim()
        .max(320)
        .regex(/^([^<>\r\n]*<)?[^\s@<>]+@[^\s@<>]+>?$/, 'must be an address such as Atrium <visitors@example.com>')
        .optional(),
    ),
    /** A CA certificate (PEM) to trust for the SMTP server's TLS, e.g. a local relay with its own CA. */
    SMTP_TLS_CA_FILE: z.preprocess(
      emptyAsUndefined,
      z
        .string()
        .refine((file) => fs.existsSync(file) && fs.statSync(file).isFile(), 'must name a readable PEM file')
        .optional(),
    ),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
    ...oidcSchema,
  })
  .superRefine((config, ctx) => {
    if (config.SMTP_URL && !config.SMTP_FROM) {
      ctx.addIssue({ code: 'custom', path: ['SMTP_FROM'], message: 'is required when SMTP_URL is set' });
    }
  })
  // Single sign-on is all or nothing: the OIDC_* variables become one settings object, or none without OIDC_ISSUER.
  .transform((env, ctx) => ({ ...env, oidc: oidcSettings(env, ctx) }));

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment once; the first bad variable is named in a one-line error. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    const shown = env[variable] === undefined ? '' : ` (got ${JSON.stringify(truncate(String(env[variable])))})`;
    const secret = /PASSWORD|SECRET|KEY/.test(variable) || variable === 'DATABASE_URL' || variable === 'SMTP_URL';
    const message = secret ? '' : shown;
    throw new ConfigError(`${variable} ${issue.message}${message}`);
  }
  return { ...result.data, DATA_DIR: path.resolve(result.data.DATA_DIR) };
}

function truncate(value: string): string {
  return value.length > 60 ? `${value.slice(0, 57)}...` : value;
}
