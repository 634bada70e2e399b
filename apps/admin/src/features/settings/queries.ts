import type {
  RetentionPreview,
  SettingsView,
  Site,
  SiteSettings,
  SiteWithSettings,
  TenantSettings,
} from '@atrium/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../api-provider';
import { siteKeys } from '../sites/queries';

export type SiteChange = Partial<Pick<Site, 'name' | 'timezone' | 'wifiSsid'> & Omit<SiteSettings, 'staffPinSet'>>;

/** Sets the site's kiosk staff PIN, or removes it (null). */
export type StaffPinChange = { staffPin: string | null };

export const settingsKeys = {
  all: ['settings'] as const,
  view: () => [...settingsKeys.all, 'view'] as const,
};

export function useSettings() {
  const api = useApi();
  return useQuery({
    queryKey: settingsKeys.view(),
    queryFn: ({ signal }) => api.get<SettingsView>('/settings', undefined, signal),
  });
}

export function useUpdateRetention() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (retentionDays: number) => api.patch<TenantSettings>('/settings', { retentionDays }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: settingsKeys.all }),
  });
}

/** What the next purge would delete with a shorter retention, asked for just before confirming it. */
export function useRetentionPreview() {
  const api = useApi();
  return useMutation({
    mutationFn: (retentionDays: number) =>
      api.get<RetentionPreview>('/settings/retention-preview', { retentionDays: String(retentionDays) }),
  });
}

export function useUpdateSite() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, change }: { id: string; change: SiteChange | StaffPinChange }) =>
      api.patch<SiteWithSettings>(`/sites/${id}`, change),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: settingsKeys.all });
      void queryClient.invalidateQueries({ queryKey: siteKeys.all });
    },
  });
}

export function useCreateSite() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { name: string; timezone: string; wifiSsid: string }) => api.post<Site>('/sites', body),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: settingsKeys.all });
      void queryClient.invalidateQueries({ queryKey: siteKeys.all });
    },
  });
}
