import type { QueryKey } from '@tanstack/react-query';
import { agentKeys } from '../features/agents/queries';
import { onsiteKeys } from '../features/onsite/queries';
import { visitKeys } from '../features/visits/queries';

/** Event payloads carry ids only (DESIGN §4); these are the ones the dashboard reads. */
export interface LiveEventData {
  siteId?: string | null;
  visitId?: string;
  agentId?: string;
  result?: string;
  conflictId?: string;
  terminationId?: string;
}

export interface LiveAlert {
  /** Stable per event, so a replayed event does not raise a second alert. */
  id: string;
  kind: 'conflict' | 'terminate_failed';
  at: string;
  siteId?: string | null | undefined;
  visitId?: string | undefined;
  result?: string | undefined;
}

/** Which cached queries an event makes stale. */
export function keysForEvent(type: string, data: LiveEventData): QueryKey[] {
  const onsite = data.siteId ? onsiteKeys.site(data.siteId) : onsiteKeys.all;
  // Lists and details only: a visit's QR image never changes.
  if (type.startsWith('visit.') || type === 'check_in.conflict')
    return [visitKeys.lists(), visitKeys.details(), onsite];
  if (type.startsWith('agent.') || type.startsWith('session.')) return [agentKeys.all];
  return [];
}

/** Events a person must notice: an offline replay that collided, a WiFi session that could not be ended. */
export function alertForEvent(type: string, data: LiveEventData, eventId: string | null, at: string): LiveAlert | null {
  if (type === 'check_in.conflict') {
    return {
      id: `conflict:${data.conflictId ?? eventId ?? at}`,
      kind: 'conflict',
      at,
      siteId: data.siteId,
      visitId: data.visitId,
    };
  }
  if (type === 'session.terminate_failed') {
    return {
      id: `terminate:${data.terminationId ?? eventId ?? at}`,
      kind: 'terminate_failed',
      at,
      siteId: data.siteId,
      result: data.result,
    };
  }
  return null;
}
