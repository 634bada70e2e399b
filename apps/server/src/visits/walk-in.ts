import type { CheckInResponse, walkInRequestSchema } from '@atrium/protocol';
import type { z } from 'zod';
import { forbidden, rateLimited } from '../http/errors';
import type { RateLimits } from '../http/rate-limit';
import { type KioskActor, kioskActor } from './actor';
import { type CheckInDeps, recordCheckIn } from './check-in';
import { settle, undoIfReplayed } from './idempotency';
import { recordVisit } from './manage';
import { scanTime } from './qr-tokens';
import { loadSite, walkInLimits } from './settings';

export type WalkInRequest = z.infer<typeof walkInRequestSchema>;

/** A walk-in's visit lasts this long at most, whatever the site allows for registered visits. */
const WALK_IN_MAX_HOURS = 8;

/**
 * A visitor without an invitation registers at the kiosk: a new visit, checked in at once, in one transaction. The
 * first attempt answers 201; a retry undoes its own new visit and answers the first attempt's result with 200.
 */
export async function walkIn(
  deps: CheckInDeps & { limits: RateLimits },
  kiosk: KioskActor,
  request: WalkInRequest,
): Promise<{ status: 200 | 201; body: CheckInResponse }> {
  const { at, offline } = scanTime(deps.now(), request.occurredAt, request.offline);
  const actor = kioskActor(kiosk);
  const outcome = await deps.db.withTenant(kiosk.tenantId, async (tx) => {
    const site = await loadSite(tx, kiosk.siteId);
    if (!site?.settings.walkInsAllowed) throw forbidden('Please sign in at reception.', 'walk_ins_disabled');
    const hours = Math.min(site.settings.maxVisitHours, WALK_IN_MAX_HOURS);
    const attempt = await undoIfReplayed(tx, async () => {
      const visit = await recordVisit(tx, deps.now(), actor, {
        siteId: kiosk.siteId,
        visitor: request.visitor,
        expectedArrival: deps.now().toISOString(),
        expectedDeparture: new Date(deps.now().getTime() + hours * 3600_000).toISOString(),
        hostUserId: null,
      });
      return recordCheckIn(tx, deps, {
        siteId: kiosk.siteId,
        visitId: visit.id,
        jti: null,
        idempotencyKey: request.idempotencyKey,
        occurredAt: at,
        offline,
        kioskId: kiosk.kioskId,
        actor,
        operation: 'walk_in',
      });
    });
    // A refused walk-in leaves nothing behind, and a replay is not counted again.
    const answer = settle(attempt);
    if (answer.status === 201) {
      // Counted in this transaction: concurrent walk-ins queue on the counter, one refused or failed is not counted.
      const wait = await deps.limits.hit(walkInLimits(site.settings, kiosk.kioskId, kiosk.siteId), tx);
      if (wait > 0) throw rateLimited(wait);
    }
    return answer;
  });
  if (outcome.status === 201) void deps.events.wake();
  return outcome;
}
