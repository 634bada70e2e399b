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
