import type { AuditPage } from '@atrium/protocol';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useApi } from '../../api-provider';

export interface AuditFilters {
  action?: string | undefined;
  outcome?: 'success' | 'failure' | 'denied' | undefined;
  actorId?: string | undefined;
  targetId?: string | undefined;
}

const PAGE_SIZE = 50;

export const auditKeys = {
  all: ['audit'] as const,
  list: (filters: AuditFilters) => [...auditKeys.all, 'list', filters] as const,
};

/** Newest first; "load more" asks for entries before the last one shown. */
export function useAuditLog(filters: AuditFilters) {
  const api = useApi();
  return useInfiniteQuery({
    queryKey: auditKeys.list(filters),
    queryFn: ({ pageParam, signal }) =>
      api.get<AuditPage>('/audit', { ...filters, limit: PAGE_SIZE, before: pageParam ?? undefined }, signal),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => last.nextCursor,
  });
}
