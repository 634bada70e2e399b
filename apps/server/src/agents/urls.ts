import fs from 'node:fs';
import type { ContextConfig } from '../context';

/**
 * The URL agents connect to, or null when nothing would answer one: through the proxy on 443 when PUBLIC_URL is
 * https (Caddy terminates TLS and checks the client certificate), else the direct mTLS listener when AGENT_TLS_PORT
 * is set. A plain-HTTP server without AGENT_TLS_PORT has no agent endpoint at all.
 */
export function agentServerUrl(config: Pick<ContextConfig, 'PUBLIC_URL' | 'AGENT_TLS_PORT'>): string | null {
  const base = config.PUBLIC_URL ? new URL(config.PUBLIC_URL) : undefined;
  if (base?.protocol === 'https:') return `wss://${base.host}/agent/ws`;
  if (!config.AGENT_TLS_PORT) return null;
  return `wss://${base?.hostname ?? 'localhost'}:${config.AGENT_TLS_PORT}/agent/ws`;
}

/** What to configure when agentServerUrl is null, for the start-up banner and logs. */
export const AGENT_URL_HINT =
  'agents cannot connect yet: put Caddy in front and set PUBLIC_URL=https://<host>, or set AGENT_TLS_PORT (e.g. 8443) for the direct mTLS listener';

/** Where released images are published unless ATRIUM_IMAGE_REGISTRY names a mirror or a registry of one's own. */
export const DEFAULT_IMAGE_REGISTRY = 'ghcr.io/atrium-visitor';
/** This server's version: the agent image of the same release speaks its protocol. */
const SERVER_VERSION = (
  JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** The agent image the dashboard's `docker run` names: the release matching this server. */
export function agentImage(config: Pick<ContextConfig, 'ATRIUM_IMAGE_REGISTRY'>): string {
  return `${config.ATRIUM_IMAGE_REGISTRY ?? DEFAULT_IMAGE_REGISTRY}/atrium-agent:${SERVER_VERSION}`;
}
