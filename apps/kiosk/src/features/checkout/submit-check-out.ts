import { verifyScan } from '../../scan/verify';
import type { SubmitDeps, SubmitResult } from '../checkin/submit-check-in';

/** Check-out with the same code: verified locally like a check-in (without the used-jti rule), queued, then sent. */
export async function submitCheckOut(scanned: string, deps: SubmitDeps): Promise<SubmitResult> {
  const token = scanned.trim();
  const verdict = await verifyScan({
    token,
    mode: 'check_out',
    cached: deps.cached,
    deviceNow: deps.deviceNow ?? Date.now(),
    isUsed: (jti) => deps.outbox.isJtiUsed(jti),
  });
  if (!verdict.ok) return verdict;
  const entry = await deps.outbox.enqueue({
    kind: 'check_out',
    body: { token, occurredAt: new Date(verdict.serverNow).toISOString() },
    displayName: verdict.claims.displayName,
  });
  void deps.outbox.flush({ force: true });
  return { ok: true, entryId: entry.id, displayName: verdict.claims.displayName };
}
