import type { ContextConfig } from '../context';

/** The URL agents connect to: through the proxy on 443 when PUBLIC_URL is https, else the direct mTLS listener. */
export function agentServerUrl(config: ContextConfig): string {
  const base = config.PUBLIC_URL ? new URL(config.PUBLIC_URL) : undefined;
  if (base?.protocol === 'https:') return `wss://${base.host}/agent/ws`;
  const host = base?.hostname ?? 'localhost';
  return `wss://${host}:${config.AGENT_TLS_PORT ?? 8443}/agent/ws`;
}
