import type { Me, NotificationPreferences, RecoveryCodes, SsoInfo, TotpEnrolment } from '@atrium/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../api-provider';

export const authKeys = {
  all: ['auth'] as const,
  me: () => [...authKeys.all, 'me'] as const,
  sso: () => [...authKeys.all, 'sso'] as const,
};

/** Whether the sign-in page offers single sign-on (public; asked before anyone is signed in). */
export function useSsoInfo() {
  const api = useApi();
  return useQuery({
    queryKey: authKeys.sso(),
    queryFn: ({ signal }) => api.request<SsoInfo>('/auth/oidc', { anonymous: true, signal }),
    staleTime: 60_000,
  });
}

export function useMe() {
  const api = useApi();
  return useQuery({ queryKey: authKeys.me(), queryFn: ({ signal }) => api.get<Me>('/me', undefined, signal) });
}

/** Turns the user's own arrival emails on or off. */
export function useSetArrivalEmails() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (emailOnArrival: boolean) => api.post<NotificationPreferences>('/me/notifications', { emailOnArrival }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: authKeys.me() }),
  });
}

export function useChangePassword() {
  const api = useApi();
  return useMutation({
    mutationFn: (body: { currentPassword: string; newPassword: string }) => api.post<void>('/me/password', body),
  });
}

export function useStartTotp() {
  const api = useApi();
  return useMutation({ mutationFn: () => api.post<TotpEnrolment>('/me/totp') });
}

export function useConfirmTotp() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (code: string) => api.post<RecoveryCodes>('/me/totp/confirm', { code }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: authKeys.me() }),
  });
}

export function useDisableTotp() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (password: string) => api.del<void>('/me/totp', { password }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: authKeys.me() }),
  });
}

/** The authenticator QR as an image source: an SVG string from the server, never injected as markup. */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}
