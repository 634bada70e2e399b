import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { z } from 'zod';
import { COA_PROFILE_NAMES } from './terminators/profiles';

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

const schema = z
  .object({
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
    TERMINATOR: z
      .enum(['rfc5176', 'paloalto', 'sophos', 'none'], {
        error: 'must be rfc5176, paloalto, sophos or none',
      })
      .default('rfc5176'),
    /** Which attributes the NAS needs to find a session (RFC 5176 only). */
    COA_PROFILE: z
      .enum(COA_PROFILE_NAMES, { error: `must be one of ${COA_PROFILE_NAMES.join(', ')}` })
      .default('generic'),
    /** Where Disconnect-Requests go; default: the NAS that reported the session, port 3799. */
    COA_TARGET: z
      .string()
      .regex(/^[^:]+(:\d{1,5})?$/, 'must be host or host:port')
      .optional(),
    COA_SECRET: z.string().min(8, 'must be at least 8 characters').optional(),
    /** The firewall's management API for TERMINATOR=paloalto|sophos, e.g. https://fw.example.com:4444 */
    TERMINATOR_URL: z
      .string()
      .refine(
        (v) => /^https:\/\/[^/]+\/?$/.test(v),
        'must be an https:// URL of the firewall, e.g. https://fw.example.com',
      )
      .optional(),
    TERMINATOR_API_KEY: z.string().min(1).optional(),
    TERMINATOR_USERNAME: z.string().min(1).optional(),
    TERMINATOR_PASSWORD: z.string().min(1).optional(),
    /** CA of the firewall's certificate when it is not in the system store (self-signed management certificates). */
    TERMINATOR_CA_FILE: readable.optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .superRefine((config, ctx) => {
    const need = (name: keyof typeof config, why: string) => {
      if (config[name] === undefined) ctx.addIssue({ code: 'custom', path: [name], message: `is required ${why}` });
    };
    if (config.TERMINATOR === 'paloalto') {
      need('TERMINATOR_URL', 'with TERMINATOR=paloalto (the PAN-OS management address, https://…)');
      need('TERMINATOR_API_KEY', 'with TERMINATOR=paloalto (an XML API key with User-ID rights)');
    }
    if (config.TERMINATOR === 'sophos') {
      need('TERMINATOR_URL', 'with TERMINATOR=sophos (the web admin address, https://…:4444)');
      need('TERMINATOR_USERNAME', 'with TERMINATOR=sophos (an API administrator allowed to manage live users)');
      need('TERMINATOR_PASSWORD', 'with TERMINATOR=sophos');
    }
  });

export type AgentConfig = z.infer<typeof schema> & {
  RADIUS_ACCT_ADDR: { host: string; port: number };
  tls: { cert: string; key: string; ca: string };
  /** PEM from TERMINATOR_CA_FILE. */
  terminatorCa?: string;
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
  const terminatorCa = config.TERMINATOR_CA_FILE ? fs.readFileSync(config.TERMINATOR_CA_FILE, 'utf8') : undefined;
  return { ...config, RADIUS_ACCT_ADDR: acct, tls, ...(terminatorCa ? { terminatorCa } : {}) };
}
