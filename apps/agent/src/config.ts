import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
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
    /** Where the registration's bundle is mounted (the seed's `-v /path/to/certs:/certs:ro`). */
    ATRIUM_CERTS_DIR: z.string().min(1).default('/certs'),
    TLS_CERT_FILE: readable,
    TLS_KEY_FILE: readable,
    TLS_CA_FILE: readable,
    /** An HTTP proxy for the server link (CONNECT tunnel); NO_PROXY lists hosts reached directly. */
    HTTPS_PROXY: z
      .string()
      .refine((v) => /^https?:\/\/[^/]+\/?$/.test(v), 'must be a proxy URL such as http://proxy.example.com:3128')
      .optional(),
    NO_PROXY: z.string().optional(),
    /** Extra trusted roots, as Node reads them (a private CA or a TLS-inspecting proxy between agent and server). */
    NODE_EXTRA_CA_CERTS: readable.optional(),
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
  tls: { cert: string; key: string; ca: string; extraCa?: string };
  /** The proxy the server link goes through, after NO_PROXY; undefined = direct. */
  proxy?: string;
  /** PEM from TERMINATOR_CA_FILE. */
  terminatorCa?: string;
};

export class AgentConfigError extends Error {
  override name = 'AgentConfigError';
}

/** Reads the environment once: a missing or bad variable, or a certificate for another tenant/site, is one clear line. */
export function loadAgentConfig(env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const input: Record<string, string | undefined> = Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, v === '' ? undefined : v]),
  );
  // Lower-case proxy variables are the older convention; the upper-case ones win when both are set.
  input.HTTPS_PROXY ??= input.https_proxy;
  input.NO_PROXY ??= input.no_proxy;
  // The seed's `docker run` mounts the bundle at /certs and sets no TLS variables: the bundle's names are the defaults.
  const certsDir = input.ATRIUM_CERTS_DIR ?? '/certs';
  for (const [name, file] of Object.entries(BUNDLE_FILES)) input[name] ??= path.join(certsDir, file);
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0] ?? 'environment');
    const hint =
      variable in BUNDLE_FILES && env[variable] === undefined
        ? ` (${input[variable]}: put the registration's ${BUNDLE_FILES[variable as keyof typeof BUNDLE_FILES]} there, or set ${variable})`
        : '';
    throw new AgentConfigError(`${variable} ${issue.message}${hint}`);
  }
  const config = parsed.data;
  const tls = {
    cert: fs.readFileSync(config.TLS_CERT_FILE, 'utf8'),
    key: fs.readFileSync(config.TLS_KEY_FILE, 'utf8'),
    ca: fs.readFileSync(config.TLS_CA_FILE, 'utf8'),
    // Node adds these to its default store only, which a context with the instance CA as well does not use.
    ...(config.NODE_EXTRA_CA_CERTS ? { extraCa: fs.readFileSync(config.NODE_EXTRA_CA_CERTS, 'utf8') } : {}),
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
  const proxy =
    config.HTTPS_PROXY && !bypassesProxy(new URL(config.ATRIUM_SERVER_URL), config.NO_PROXY)
      ? config.HTTPS_PROXY
      : undefined;
  return {
    ...config,
    RADIUS_ACCT_ADDR: acct,
    tls,
    ...(terminatorCa ? { terminatorCa } : {}),
    ...(proxy ? { proxy } : {}),
  };
}

/** The file names in the bundle the dashboard hands out, under ATRIUM_CERTS_DIR unless set one by one. */
export const BUNDLE_FILES = { TLS_CERT_FILE: 'agent.crt', TLS_KEY_FILE: 'agent.key', TLS_CA_FILE: 'ca.crt' } as const;

/**
 * NO_PROXY as curl reads it: `*` for everything, else a comma list of host names (matching the host and its
 * subdomains, a leading dot or `*.` allowed), IP addresses, each optionally with :port.
 */
export function bypassesProxy(url: URL, noProxy: string | undefined): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || '443';
  return (noProxy ?? '')
    .split(/[,\s]+/)
    .filter(Boolean)
    .some((raw) => {
      if (raw === '*') return true;
      // A bare IPv6 address has colons of its own; a port needs the bracketed form.
      const entry = net.isIPv6(raw) ? [raw, raw, undefined] : /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(raw.toLowerCase());
      if (!entry) return false;
      if (entry[2] && entry[2] !== port) return false;
      const name = entry[1]!.replace(/^\[|\]$/g, '').replace(/^\*?\./, '');
      return host === name || host.endsWith(`.${name}`);
    });
}
