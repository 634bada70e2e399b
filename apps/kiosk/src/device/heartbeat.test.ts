import type { KioskHeartbeat } from '@atrium/protocol';
import { describe, expect, it } from 'vitest';
import type { OutboxSnapshot } from '../outbox/outbox';
import { Heartbeat } from './heartbeat';
import type { CachedConfig, PairedDevice } from './types';

const device = { token: 't', kiosk: { id: 'k1', name: 'Lobby', siteId: 's1' } } as PairedDevice;

function rig(options: { paired?: boolean; heartbeatSeconds?: number } = {}) {
  const sent: KioskHeartbeat[] = [];
  const timers: Array<{ fn: () => void; ms: number }> = [];
  let snapshot: OutboxSnapshot = { queued: 0, rejected: 0, syncing: false, lastError: null };
  const listeners = new Set<() => void>();
  const stored = {
    fetchedAt: Date.UTC(2026, 10, 25, 9, 0),
    serverOffsetMs: 0,
    config: { heartbeatSeconds: options.heartbeatSeconds },
  } as unknown as CachedConfig;
  const heartbeat = new Heartbeat({
    api: { heartbeat: async (body) => void sent.push(body) },
    session: {
      getSnapshot: () => (options.paired === false ? null : device),
      storedConfigFor: () => stored,
    },
    outbox: {
      getSnapshot: () => snapshot,
      subscribe: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    appVersion: '1.2.3',
    isOnline: () => true,
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => {},
  });
  const setQueued = (queued: number) => {
    snapshot = { ...snapshot, queued };
    for (const listener of listeners) listener();
  };
  return { heartbeat, sent, timers, setQueued };
}

describe('the kiosk heartbeat', () => {
  it('reports version, outbox depth, last sync and network at once, then on the server’s beat', async () => {
    const { heartbeat, sent, timers } = rig({ heartbeatSeconds: 10 });
    heartbeat.start();
    await Promise.resolve();
    expect(sent).toEqual([
      { appVersion: '1.2.3', outboxDepth: 0, lastSyncAt: '2026-11-25T09:00:00.000Z', online: true },
    ]);
    expect(timers.at(-1)?.ms).toBe(10_000);
    timers.at(-1)!.fn();
    await Promise.resolve();
    expect(sent).toHaveLength(2);
  });

  it('beats again when the outbox depth changes, not on every outbox event', async () => {
    const { heartbeat, sent, setQueued } = rig();
    heartbeat.start();
    await Promise.resolve();
    setQueued(3);
    await Promise.resolve();
    setQueued(3);
    await Promise.resolve();
    expect(sent.map((b) => b.outboxDepth)).toEqual([0, 3]);
  });

  it('says nothing while unpaired, and uses the default beat until a config names one', async () => {
    const { heartbeat, sent, timers } = rig({ paired: false });
    heartbeat.start();
    await Promise.resolve();
    expect(sent).toEqual([]);
    expect(timers.at(-1)?.ms).toBe(30_000);
  });
});
