import type { CreatedVisit, CreateVisitRequest, Visit, VisitStatus } from '@atrium/protocol';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useApi } from '../../api-provider';
import { onsiteKeys } from '../onsite/queries';

export interface VisitFilters {
  siteId?: string | undefined;
  status?: VisitStatus | undefined;
  from?: string | undefined;
  to?: string | undefined;
  q?: string | undefined;
}

export const VISIT_LIST_LIMIT = 100;

/**
 * The statuses in filter order. Kept here rather than imported as a value, because a value import from
 * @atrium/protocol would bundle zod into the dashboard; the check below fails to compile if a status is missing.
 */
export const VISIT_STATUSES = ['expected', 'checked_in', 'checked_out', 'cancelled', 'expired'] as const;
type MissingStatus = Exclude<VisitStatus, (typeof VISIT_STATUSES)[number]>;
const _allStatusesListed: MissingStatus extends never ? true : never = true;
void _allStatusesListed;

/** Lets a double click count once; outside a secure context (plain http on a LAN address) the server makes one. */
const idempotencyKey = () => (typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : undefined);

export const visitKeys = {
  all: ['visits'] as const,
  lists: () => [...visitKeys.all, 'list'] as const,
  list: (filters: VisitFilters) => [...visitKeys.lists(), filters] as const,
  details: () => [...visitKeys.all, 'detail'] as const,
  detail: (id: string) => [...visitKeys.details(), id] as const,
  qr: (id: string) => [...visitKeys.all, 'qr', id] as const,
};

export function useVisits(filters: VisitFilters) {
  const api = useApi();
  return useQuery({
    queryKey: visitKeys.list(filters),
    queryFn: ({ signal }) => api.get<Visit[]>('/visits', { ...filters, limit: VISIT_LIST_LIMIT }, signal),
    placeholderData: keepPreviousData,
  });
}

export function useVisit(id: string) {
  const api = useApi();
  return useQuery({
    queryKey: visitKeys.detail(id),
    queryFn: ({ signal }) => api.get<Visit>(`/visits/${id}`, undefined, signal),
  });
}

/** The QR code as an SVG blob (the endpoint needs the bearer token, so an <img src> cannot load it directly). */
export function useVisitQr(id: string, enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: visitKeys.qr(id),
    queryFn: ({ signal }) => api.blob(`/visits/${id}/qr`, { format: 'svg' }, signal),
    enabled,
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
}

export function useVisitQrPng() {
  const api = useApi();
  return useMutation({ mutationFn: (id: string) => api.blob(`/visits/${id}/qr`, { format: 'png' }) });
}

/** After any change to a visit: its detail, every list and every on-site list may have changed. */
function useInvalidateVisit() {
  const queryClient = useQueryClient();
  return (visit?: Visit) => {
    if (visit) queryClient.setQueryData(visitKeys.detail(visit.id), visit);
    // The QR image of a visit does not change; once the visit is no longer expected it is not shown at all.
    void queryClient.invalidateQueries({ queryKey: visitKeys.all, predicate: (q) => q.queryKey[1] !== 'qr' });
    void queryClient.invalidateQueries({ queryKey: onsiteKeys.all });
  };
}

export function useCreateVisit() {
  const api = useApi();
  const invalidate = useInvalidateVisit();
  return useMutation({
    mutationFn: (body: CreateVisitRequest) => api.post<CreatedVisit>('/visits', body),
    onSuccess: ({ qrToken: _token, ...visit }) => invalidate(visit),
  });
}

export function useCancelVisit() {
  const api = useApi();
  const invalidate = useInvalidateVisit();
  return useMutation({
    mutationFn: (id: string) => api.del<Visit>(`/visits/${id}`),
    onSuccess: (visit) => invalidate(visit),
  });
}

export function useCheckIn() {
  const api = useApi();
  const invalidate = useInvalidateVisit();
  return useMutation({
    mutationFn: (id: string) => api.post<unknown>(`/visits/${id}/check-in`, { idempotencyKey: idempotencyKey() }),
    onSettled: () => invalidate(),
  });
}

/**
 * Check-in and check-out of one visit where a click counts once: from the click until the visit shows a new status
 * (or the request failed), `waiting` holds and another click sends nothing, so a double click is never a second
 * request that fails against the first one.
 */
export function useVisitStatusChange(visit: Pick<Visit, 'id' | 'status'>) {
  const checkIn = useCheckIn();
  const checkOut = useCheckOut();
  const [sentAt, setSentAt] = useState<VisitStatus | null>(null);
  const error = checkIn.error ?? checkOut.error;
  const waiting = checkIn.isPending || checkOut.isPending || (sentAt === visit.status && !error);
  const send = (mutation: typeof checkIn) => {
    if (waiting) return;
    setSentAt(visit.status);
    mutation.mutate(visit.id);
  };
  return {
    checkIn: () => send(checkIn),
    checkOut: () => send(checkOut),
    waiting,
    error,
    checkedIn: checkIn.isSuccess,
    checkedOut: checkOut.isSuccess,
  };
}

export function useCheckOut() {
  const api = useApi();
  const invalidate = useInvalidateVisit();
  return useMutation({
    mutationFn: (id: string) => api.post<unknown>(`/visits/${id}/check-out`, { idempotencyKey: idempotencyKey() }),
    onSettled: () => invalidate(),
  });
}
