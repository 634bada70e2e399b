import type { AgentView, RegisteredAgent } from '@atrium/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../api-provider';

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
