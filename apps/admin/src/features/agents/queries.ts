import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../api-provider';

/** The last `agent.status` an agent sent (see agentStatusSchema in @atrium/protocol). */
export interface AgentStatusView {
  agentVersion?: string;
  uptimeSeconds: number;
  activeSessions: number;
  vouchers: number;
  radius: { requests: number; accepts: number; rejects: number; [counter: string]: number };
  buffer: { length: number; dropped: number };
  /** Resident memory of the agent process. */
  rssBytes?: number;
  /** CPU time the agent process has used since it started (user + system). */
  cpuSeconds?: number;
}

export interface AgentView {
  id: string;
  siteId: string;
  name: string;
  connected: boolean;
  lastStatus: AgentStatusView | null;
  lastSeen: string | null;
  revoked: boolean;
  /** When the agent's client certificate stops working (renew it before then). */
  certificateExpires?: string;
  /** The certificate expires within 30 days. */
  certificateExpiring?: boolean;
  /** A renewed certificate not used yet: it replaces the current one when the agent first connects with it. */
  pendingCertificateExpires?: string | null;
}

/** POST /agents and POST /agents/:id/certificate answer the certificate bundle once; it is never stored in the query cache. */
export interface RegisteredAgent {
  agent: { id: string; siteId: string; name: string };
  bundle: { cert: string; key: string; ca: string };
  /** The published agent image of this server's release. */
  image?: string;
  /** ATRIUM_SERVER_URL is null when this server has no agent endpoint yet (no https PUBLIC_URL, no AGENT_TLS_PORT). */
  env: { ATRIUM_SERVER_URL: string | null; ATRIUM_TENANT_ID: string; ATRIUM_SITE_ID: string };
}

export const agentKeys = {
  all: ['agents'] as const,
  list: () => [...agentKeys.all, 'list'] as const,
};

export function useAgents() {
  const api = useApi();
  return useQuery({
    queryKey: agentKeys.list(),
    queryFn: ({ signal }) => api.get<AgentView[]>('/agents', undefined, signal),
    // Status reports arrive every 60 s; connects and disconnects also come as live events.
    refetchInterval: 60_000,
  });
}

export function useRegisterAgent() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { siteId: string; name: string }) => api.post<RegisteredAgent>('/agents', body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: agentKeys.all }),
  });
}

export function useRenewCertificate() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.post<RegisteredAgent>(`/agents/${id}/certificate`, {}),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: agentKeys.all }),
  });
}

export function useRevokeAgent() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.del<void>(`/agents/${id}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: agentKeys.all }),
  });
}
