import type { Site } from '@atrium/protocol';
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../api-provider';

export const siteKeys = {
  all: ['sites'] as const,
  list: () => [...siteKeys.all, 'list'] as const,
};

/** Sites the signed-in user has any role at. */
export function useSites() {
  const api = useApi();
  return useQuery({
    queryKey: siteKeys.list(),
    queryFn: ({ signal }) => api.get<Site[]>('/sites', undefined, signal),
    staleTime: 5 * 60_000,
  });
}

/** Looks up a site's name and time zone, falling back to UTC before the list has loaded. */
export function useSiteLookup() {
  const sites = useSites();
  return (id: string | null | undefined): Site | undefined => sites.data?.find((site) => site.id === id);
}
