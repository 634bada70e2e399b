import type { KioskSummary, KioskView } from '@atrium/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../api-provider';

export const kioskKeys = {
  all: ['kiosks'] as const,
  list: () => [...kioskKeys.all, 'list'] as const,
};

export function useKiosks() {
  const api = useApi();
  return useQuery({
    queryKey: kioskKeys.list(),
    queryFn: ({ signal }) => api.get<KioskView[]>('/kiosks', undefined, signal),
    // "Online" follows each kiosk's heartbeat; refresh often enough that staff see a change within a minute or so.
    refetchInterval: 15_000,
  });
}

export function usePairKiosk() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { code: string; siteId: string; name: string }) =>
      api.post<{ kiosk: KioskSummary }>('/kiosks/pair', body),
    onSuccess: () => {
      // The kiosk joins the list once the tablet has fetched its token (it polls every few seconds).
      for (const delay of [0, 3_000, 8_000]) {
        setTimeout(() => void queryClient.invalidateQueries({ queryKey: kioskKeys.all }), delay);
      }
    },
  });
}

export function useRevokeKiosk() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.del<void>(`/kiosks/${id}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: kioskKeys.all }),
  });
}
