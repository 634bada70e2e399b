import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { z } from 'zod';

/** host:port or :port (all interfaces), as in the seed's RADIUS_LISTEN_ADDR default ":1812". */
const listenAddr = z.string().transform((value, ctx) => {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || port < 1 || port > 65535) {
    ctx.addIssue({ code: 'custom', message: 'must be host:port or :port, e.g. :1812 or 0.0.0.0:1812' });
    return z.NEVER;
  }
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
});

const uuid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a lowercase UUID');
const readable = z
  .string()
  .min(1, 'is required')
  .refine((file) => {
    try {
      fs.accessSync(file, fs.constants.R_OK);
      return true;
    } catch {
      return false;
    }
  }, 'must name a readable file');

const schema = z.object({
  ATRIUM_SERVER_URL: z
    .string({ error: 'is required' })
    .refine((v) => /^wss:\/\/[^/]+\/.*/.test(v), 'must be a wss:// URL such as wss://atrium.example.com/agent/ws'),
  ATRIUM_TENANT_ID: uuid,
  ATRIUM_SITE_ID: uuid,
  RADIUS_SECRET: z.string({ error: 'is required' }).min(8, 'must be at least 8 characters').max(128),
  RADIUS_LISTEN_ADDR: listenAddr.prefault(':1812'),
  RADIUS_ACCT_LISTEN_ADDR: listenAddr.optional(),
  RADIUS_REQUIRE_MESSAGE_AUTHENTICATOR: z.enum(['auto', 'yes', 'no']).default('auto'),
  TLS_CERT_FILE: readable,
  TLS_KEY_FILE: readable,
  TLS_CA_FILE: readable,
  /** How sessions are ended when a visit ends. */
  TERMINATOR: z.enum(['rfc5176', 'none']).default('rfc5176'),
  /** Where Disconnect-Requests go; default: the NAS that reported the session, port 3799. */
  COA_TARGET: z
    .string()
    .regex(/^[^:]+(:\d{1,5})?$/, 'must be host or host:port')
    .optional(),
  COA_SECRET: z.string().min(8).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type AgentConfig = z.infer<typeof schema> & {
  RADIUS_ACCT_ADDR: { host: string; port: number };
  tls: { cert: string; key: string; ca: string };
};

export class AgentConfigError extends Error {
  override name = 'AgentConfigError';
}

/** Reads the environment once: a missing or bad variable, or a certificate for another tenant/site, is one clear line. */
export function loadAgentConfig(env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const input = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === '' ? undefined : v]));
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AgentConfigError(`${String(issue.path[0] ?? 'environment')} ${issue.message}`);
  }
  const config = parsed.data;
  const tls = {
    cert: fs.readFileSync(config.TLS_CERT_FILE, 'utf8'),
    key: fs.readFileSync(config.TLS_KEY_FILE, 'utf8'),
    ca: fs.readFileSync(config.TLS_CA_FILE, 'utf8'),
  };
  let san: string | undefined;
  try {
    san = new X509Certificate(tls.cert).subjectAltName;
  } catch {
    throw new AgentConfigError(`TLS_CERT_FILE ${config.TLS_CERT_FILE} is not a PEM certificate`);
  }
  const expected = `URI:urn:atrium:tenant:${config.ATRIUM_TENANT_ID}:site:${config.ATRIUM_SITE_ID}`;
  if (!(san ?? '').split(', ').includes(expected)) {
    throw new AgentConfigError(
      `TLS_CERT_FILE was issued for ${san?.replace('URI:', '') ?? 'no agent identity'}, not for ATRIUM_TENANT_ID/ATRIUM_SITE_ID of this agent; use the bundle registered for this site`,
    );
  }
  const acct = config.RADIUS_ACCT_LISTEN_ADDR ?? {
    host: config.RADIUS_LISTEN_ADDR.host,
    port: config.RADIUS_LISTEN_ADDR.port + 1,
  };
  return { ...config, RADIUS_ACCT_ADDR: acct, tls };
}
