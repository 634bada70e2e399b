import { describe, expect, it } from 'vitest';
import { agentKeys } from '../features/agents/queries';
import { onsiteKeys } from '../features/onsite/queries';
import { visitKeys } from '../features/visits/queries';
import { alertForEvent, keysForEvent } from './effects';

describe('live events', () => {
  it('refresh visits and the site’s on-site list when a visitor comes or goes', () => {
    for (const type of ['visit.checked_in', 'visit.checked_out', 'visit.expired', 'visit.cancelled']) {
      expect(keysForEvent(type, { siteId: 's1', visitId: 'v1' })).toEqual([
        visitKeys.lists(),
        visitKeys.details(),
        onsiteKeys.site('s1'),
      ]);
    }
  });

  it('refresh agents on connection and termination events, and ignore voucher bookkeeping', () => {
    expect(keysForEvent('agent.connected', { agentId: 'a1' })).toEqual([agentKeys.all]);
    expect(keysForEvent('session.terminate_failed', { siteId: 's1' })).toEqual([agentKeys.all]);
    expect(keysForEvent('voucher.upserted', { siteId: 's1' })).toEqual([]);
  });

  it('raise an alert for offline-replay conflicts and failed terminations, once per event', () => {
    const at = '2026-01-15T12:00:00.000Z';
    expect(alertForEvent('check_in.conflict', { siteId: 's1', conflictId: 'c1', visitId: 'v1' }, '9', at)).toEqual({
      id: 'conflict:c1',
      kind: 'conflict',
      at,
      siteId: 's1',
      visitId: 'v1',
    });
    expect(
      alertForEvent('session.terminate_failed', { siteId: 's1', terminationId: 't1', result: 'timeout' }, '10', at),
    ).toEqual({
      id: 'terminate:t1',
      kind: 'terminate_failed',
      at,
      siteId: 's1',
      result: 'timeout',
    });
    expect(alertForEvent('visit.checked_in', { visitId: 'v1' }, '11', at)).toBeNull();
  });
});
