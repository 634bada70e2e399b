import type { CachedConfig } from '../../device/types';
import type { Outbox } from '../../outbox/outbox';
import { JtiAlreadyUsedError } from '../../outbox/types';
import { type LocalRefusal, verifyScan } from '../../scan/verify';

export type SubmitResult =
  | { ok: true; entryId: number; displayName: string }
  | { ok: false; reason: LocalRefusal; notBefore?: Date };

export interface SubmitDeps {
  outbox: Outbox;
  cached: CachedConfig | null;
  /** Device clock, ms. */
  deviceNow?: number;
}

/**
 * A scanned code becomes a check-in: verified locally, written to the outbox (its jti now counts as used here), then
 * sent. The caller shows the entry's progress; whether the network is up decides only when the voucher arrives.
 */
export async function submitCheckIn(scanned: string, deps: SubmitDeps): Promise<SubmitResult> {
  const token = scanned.trim();
  const verdict = await verifyScan({
    token,
    mode: 'check_in',
    cached: deps.cached,
    deviceNow: deps.deviceNow ?? Date.now(),
    isUsed: (jti) => deps.outbox.isJtiUsed(jti),
  });
  if (!verdict.ok) return verdict;
  const { claims } = verdict;
  try {
    const entry = await deps.outbox.enqueue({
      kind: 'check_in',
      body: { token, occurredAt: new Date(verdict.serverNow).toISOString() },
      displayName: claims.displayName,
      jti: claims.jti,
      jtiExpiresAt: claims.expiresAt.getTime(),
    });
    void deps.outbox.flush({ force: true });
    return { ok: true, entryId: entry.id, displayName: claims.displayName };
  } catch (error) {
    if (error instanceof JtiAlreadyUsedError) return { ok: false, reason: 'already_used' };
    throw error;
  }
}
