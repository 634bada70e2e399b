import { useCallback, useSyncExternalStore } from 'react';
import type { EntryState, Outbox, OutboxSnapshot } from './outbox';

/** Live state of one outbox entry (pending → queued → accepted/rejected) for the screen that waits on it. */
export function useEntryState(outbox: Outbox, entryId: number): EntryState | undefined {
  const read = useCallback(() => outbox.entryState(entryId), [outbox, entryId]);
  return useSyncExternalStore(outbox.subscribe, read);
}

export function useOutboxSnapshot(outbox: Outbox): OutboxSnapshot {
  return useSyncExternalStore(outbox.subscribe, outbox.getSnapshot);
}
