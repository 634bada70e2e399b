import type { InvitationQueued, Message, MessageState } from '@atrium/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../api-provider';

export const messageKeys = {
  all: ['messages'] as const,
  list: (state: MessageState | undefined) => [...messageKeys.all, 'list', state ?? 'all'] as const,
};

/** Recent messages of the sites the user works at; refreshed often while some are still queued. */
export function useMessages(state: MessageState | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: messageKeys.list(state),
    queryFn: ({ signal }) => api.get<Message[]>('/messages', state ? { state } : undefined, signal),
    refetchInterval: (query) => (query.state.data?.some((m) => m.state === 'queued') ? 5_000 : 30_000),
  });
}

export function useRetryMessage() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.post<Message>(`/messages/${id}/retry`, {}),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: messageKeys.all }),
  });
}

/** Sends (or re-sends) a visit's invitation email with its current QR code. */
export function useSendInvitation() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (visitId: string) => api.post<InvitationQueued>(`/visits/${visitId}/invitation`, {}),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: messageKeys.all }),
  });
}
