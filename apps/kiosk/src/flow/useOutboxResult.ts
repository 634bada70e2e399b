import { useEffect } from 'react';
import type { EntryState } from '../outbox/outbox';
import { useEntryState } from '../outbox/useEntryState';
import { useServices } from '../services';
import { type RefusalReason, reasonFromCode } from './flow';
import { markResultShown } from './timing';

/** An entry the visitor can be told about: the server took it, or it waits in the outbox for the network. */
export type SettledEntry = Extract<EntryState, { state: 'accepted' | 'queued' }>;

/**
 * What a result screen (welcome, goodbye) waits on after writing its outbox entry: a refusal is passed on as a reason
 * the visitor can read, the result counts as shown once it is accepted or queued. Null while the screen still waits.
 */
export function useOutboxResult(
  entryId: number,
  onRefused: (reason: RefusalReason, entryId: number) => void,
): SettledEntry | null {
  const { outbox } = useServices();
  const entry = useEntryState(outbox, entryId);

  useEffect(() => {
    if (entry?.state !== 'rejected') return;
    // The visitor is in front of the screen and reads the refusal, so it is not left on the staff list too.
    void outbox.dismissRejection(entryId);
    onRefused(reasonFromCode(entry.code), entryId);
  }, [entry, entryId, onRefused, outbox]);
  useEffect(() => {
    if (entry?.state === 'accepted' || entry?.state === 'queued') markResultShown();
  }, [entry?.state]);

  return entry?.state === 'accepted' || entry?.state === 'queued' ? entry : null;
}
