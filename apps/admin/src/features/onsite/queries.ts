import type { OnSiteEntry } from '@atrium/protocol';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api-provider';

export const onsiteKeys = {
  all: ['onsite'] as const,
  site: (siteId: string) => [...onsiteKeys.all, siteId] as const,
};

/** Who is in the building now. Live events refresh it; the slow poll covers a dropped event stream. */
export function useOnSite(siteId: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: onsiteKeys.site(siteId ?? ''),
    queryFn: ({ signal }) => api.get<OnSiteEntry[]>(`/sites/${siteId}/on-site`, undefined, signal),
    enabled: Boolean(siteId),
    refetchInterval: 60_000,
  });
}
