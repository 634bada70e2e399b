import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { KioskSummary, PairingTokenResponse } from '@atrium/protocol';
import { type Selectable, sql } from 'kysely';
import { recordAudit } from '../audit/record';
import type { TokenService } from '../auth/tokens';
import type { Database } from '../db';
import type { PairingCodes } from '../db/schema';
import { gone, invalidInput, notFound, rateLimited, slowDown, unavailable, unknownCode } from '../http/errors';
import { type RateLimits, rule } from '../http/rate-limit';

export const PAIRING_TTL_S = 600;
export const PAIRING_POLL_INTERVAL_S = 5;

/** Pairing keeps its state and its attempt counters in the database, on the server's clock. */
interface PairingDeps {
  db: Database;
  limits: RateLimits;
  now: () => Date;
}

const hash = (deviceCode: string) => createHash('sha256').update(deviceCode).digest('hex');

/** A fresh 6-digit code (CSPRNG), unique among live codes, and the secret device code the kiosk polls with. */
export async function startPairing(deps: PairingDeps, ip: string | null) {
  const wait = await deps.limits.hit([rule('pairingStartPerIp', `${ip}`)]);
  if (wait > 0) throw rateLimited(wait);
  const deviceCode = randomBytes(32).toString('base64url');
  const expiresAt = new Date(deps.now().getTime() + PAIRING_TTL_S * 1000);
  for (let attempt = 0; attempt < 20; attempt++) {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    // A code frees up once expired; stale rows holding it are cleared as we go. The app role reaches pairing codes
    // only through SECURITY DEFINER functions.
    const { rows } = await deps.db.withoutTenant((tx) =>
      sql<{
        created: boolean;
      }>`SELECT app_pairing_start(${code}, ${hash(deviceCode)}, ${expiresAt}, ${deps.now()}) AS created`.execute(tx),
    );
    const [row] = rows;
    if (row?.created) return { code, deviceCode, expiresIn: PAIRING_TTL_S, interval: PAIRING_POLL_INTERVAL_S };
  }
  throw unavailable('pairing_busy', 'No pairing code is free right now. Try again in a minute.');
}

/** The kiosk's poll: pending, or the device token exactly once. */
export async function pollPairing(
  deps: Omit<PairingDeps, 'limits'> & { tokens: TokenService },
  deviceCode: string,
): Promise<{ status: 200 | 202; body: PairingTokenResponse }> {
  const now = deps.now();
  // The app role reaches pairing codes only through SECURITY DEFINER functions.
  const {
    rows: [row],
  } = await deps.db.withoutTenant((tx) =>
    sql<
      Pick<Selectable<PairingCodes>, 'expires_at' | 'last_poll_at' | 'tenant_id' | 'kiosk_id' | 'delivered_at'>
    >`SELECT expires_at, last_poll_at, tenant_id, kiosk_id, delivered_at FROM app_pairing_poll(${hash(deviceCode)}, ${now})`.execute(
      tx,
    ),
  );
  if (!row) throw invalidInput('deviceCode', 'is not a pairing in progress');
  if (row.delivered_at || (!row.kiosk_id && row.expires_at <= now)) {
    throw gone('expired', 'This pairing code has expired. Start again for a new code.');
  }
  // Polling faster than the interval (with a little slack for timers) is told to slow down.
  if (
    !row.kiosk_id &&
    row.last_poll_at &&
    now.getTime() - row.last_poll_at.getTime() < (PAIRING_POLL_INTERVAL_S - 1) * 1000
  ) {
    throw slowDown(PAIRING_POLL_INTERVAL_S);
  }
  if (!row.kiosk_id || !row.tenant_id) return { status: 202, body: { status: 'pending' } };
  const tenantId = row.tenant_id;
  const kioskId = row.kiosk_id;
  const kiosk = await deps.db.withTenant(tenantId, async (tx) => {
    const k = await tx
      .selectFrom('kiosks')
      .select(['id', 'name', 'site_id as siteId'])
      .where('id', '=', kioskId)
      .executeTakeFirst();
    if (!k) return undefined;
    const device = await deps.tokens.signDeviceToken({ kioskId, tenantId, siteId: k.siteId });
    await tx
      .updateTable('kiosks')
      .set({ token_jti: device.jti, last_seen: sql`now()` })
      .where('id', '=', kioskId)
      .execute();
    return { summary: k, token: device.token };
  });
  if (!kiosk) throw gone('expired', 'This kiosk was removed before it finished pairing.');
  return { status: 200, body: { status: 'paired', deviceToken: kiosk.token, kiosk: kiosk.summary } };
}

class UnknownCode extends Error {}

/**
 * A receptionist types the code shown on the tablet: the kiosk is created for the site and the code is bound to it.
 * Every attempt is counted (per user, per address, per code value) before the code is looked at, so the caps hold
 * under any concurrency and on every replica; an attempt that pairs is given back.
 */
export async function pairKiosk(
  deps: PairingDeps,
  who: { tenantId: string; userId: string; ip: string | null },
  input: { code: string; siteId: string; name: string },
): Promise<KioskSummary> {
  const caps = [rule('pairPerUser', who.userId), rule('pairPerIp', `${who.ip}`)];
  const wait = await deps.limits.hit([...caps, rule('pairPerCode', input.code)]);
  if (wait > 0) throw rateLimited(wait);
  const now = deps.now();
  try {
    const kiosk = await deps.db.withTenant(who.tenantId, async (tx) => {
      const site = await tx.selectFrom('sites').select('id').where('id', '=', input.siteId).executeTakeFirst();
      if (!site) throw notFound('site');
      const k = await tx
        .insertInto('kiosks')
        // The RLS helper: the tenant the transaction was opened for.
        .values({
          tenant_id: sql<string>`app_current_tenant()`,
          site_id: input.siteId,
          name: input.name,
          paired_by: who.userId,
        })
        .returning(['id', 'name', 'site_id as siteId'])
        .executeTakeFirstOrThrow();
      // The app role reaches pairing codes only through SECURITY DEFINER functions.
      const {
        rows: [bound],
      } = await sql<{ ok: boolean }>`SELECT app_pairing_bind(${input.code}, ${k.id}, ${now}) AS ok`.execute(tx);
      // No kiosk shows this code (or another receptionist bound it a moment earlier): the new kiosk rolls back.
      if (!bound?.ok) throw new UnknownCode();
      await recordAudit(tx, {
        actorType: 'user',
        actorId: who.userId,
        action: 'kiosk.paired',
        targetType: 'kiosk',
        targetId: k.id,
        outcome: 'success',
        ip: who.ip,
        details: { siteId: input.siteId },
      });
      return k;
    });
    await deps.limits.refund(caps.map((c) => c.key));
    return kiosk;
  } catch (error) {
    if (!(error instanceof UnknownCode)) throw error;
  }
  await deps.db.withTenant(who.tenantId, (tx) =>
    recordAudit(tx, {
      actorType: 'user',
      actorId: who.userId,
      action: 'kiosk.pair',
      outcome: 'failure',
      ip: who.ip,
      details: { reason: 'unknown_code' },
    }),
  );
  throw unknownCode('No kiosk is showing this code. Check the code on the tablet; it changes every 10 minutes.');
}
