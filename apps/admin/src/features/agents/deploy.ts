import type { RegisteredAgent } from '@atrium/protocol';

/** Where the container expects the bundle (the seed mounts the host's cert directory at /certs). */
export const CERT_DIR = '/certs';
/** The agent looks for exactly these names under /certs when TLS_CERT_FILE, TLS_KEY_FILE and TLS_CA_FILE are unset. */
export const BUNDLE_FILES = { cert: 'agent.crt', key: 'agent.key', ca: 'ca.crt' } as const;
export const RADIUS_SECRET_PLACEHOLDER = 'your-radius-shared-secret';
/** Stands in (as in the seed) when this server has no agent endpoint yet; the page says what to configure. */
export const SERVER_URL_PLACEHOLDER = 'wss://your-atrium-instance.example.com/agent/ws';
/** Only for a server too old to name its release's image. */
const FALLBACK_IMAGE = 'ghcr.io/atrium-visitor/atrium-agent:latest';

/** Leaves safe words alone and single-quotes the rest, so a pasted command cannot run anything else. */
export function shellQuote(value: string): string {
  if (/^[\w@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The seed's `docker run` with this agent's values filled in; the RADIUS secret stays for the admin to set. The bundle's
 * files go in the mounted folder under their download names, where the agent finds them without TLS_* variables.
 */
export function dockerRunCommand(env: RegisteredAgent['env'], image = FALLBACK_IMAGE): string {
  const vars: Array<[string, string]> = [
    ['ATRIUM_SERVER_URL', env.ATRIUM_SERVER_URL ?? SERVER_URL_PLACEHOLDER],
    ['ATRIUM_TENANT_ID', env.ATRIUM_TENANT_ID],
    ['ATRIUM_SITE_ID', env.ATRIUM_SITE_ID],
    ['RADIUS_SECRET', RADIUS_SECRET_PLACEHOLDER],
  ];
  return [
    'docker run -d',
    '--name atrium-agent',
    '--restart unless-stopped',
    '-p 1812:1812/udp',
    '-p 1813:1813/udp',
    ...vars.map(([name, value]) => `-e ${name}=${shellQuote(value)}`),
    `-v /path/to/certs:${CERT_DIR}:ro`,
    image,
  ].join(' \\\n  ');
}

/**
 * The same container as a Docker Compose service, for hosts that keep their containers in a compose file. Values are
 * double-quoted (JSON strings are valid YAML), so nothing in them is read as YAML syntax.
 */
export function composeSnippet(env: RegisteredAgent['env'], image = FALLBACK_IMAGE): string {
  const q = (value: string) => JSON.stringify(value);
  return [
    'services:',
    '  atrium-agent:',
    `    image: ${q(image)}`,
    '    restart: unless-stopped',
    '    ports:',
    '      - "1812:1812/udp"',
    '      - "1813:1813/udp"',
    '    environment:',
    `      ATRIUM_SERVER_URL: ${q(env.ATRIUM_SERVER_URL ?? SERVER_URL_PLACEHOLDER)}`,
    `      ATRIUM_TENANT_ID: ${q(env.ATRIUM_TENANT_ID)}`,
    `      ATRIUM_SITE_ID: ${q(env.ATRIUM_SITE_ID)}`,
    `      RADIUS_SECRET: ${q(RADIUS_SECRET_PLACEHOLDER)}`,
    '    volumes:',
    `      - "/path/to/certs:${CERT_DIR}:ro"`,
    '',
  ].join('\n');
}

/** All three PEM blocks in one file; PEM readers skip the comment lines between blocks. */
export function combinedBundle(registered: RegisteredAgent): string {
  const { agent, bundle } = registered;
  const part = (file: string, pem: string) => `# ---- ${file} ----\n${pem.trim()}\n`;
  return [
    `# Atrium agent "${agent.name}" (site ${agent.siteId})`,
    `# Save each block as its own file: ${Object.values(BUNDLE_FILES).join(', ')}`,
    part(BUNDLE_FILES.cert, bundle.cert),
    part(BUNDLE_FILES.key, bundle.key),
    part(BUNDLE_FILES.ca, bundle.ca),
  ].join('\n');
}
