import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { KioskSummary, PairingTokenResponse } from '@atrium/protocol';
import { recordAudit } from '../audit/record';
import type { AppContext } from '../context';
import { AppError, invalidInput, notFound } from '../http/errors';

export const PAIRING_TTL_S = 600;
export const PAIRING_POLL_INTERVAL_S = 5;

const hash = (deviceCode: string) => createHash('sha256').update(deviceCode).digest('hex');

/** A fresh 6-digit code (CSPRNG), unique among live codes, and the secret device code the kiosk polls with. */
export async function startPairing(ctx: AppContext) {
  const deviceCode = randomBytes(32).toString('base64url');
  const expiresAt = new Date(ctx.now().getTime() + PAIRING_TTL_S * 1000);
  for (let attempt = 0; attempt < 20; attempt++) {
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const created = await ctx.db.withoutTenant(async (tx) => {
      // A code frees up once expired; delivered or stale rows are cleared as we go.
      await tx.query('DELETE FROM pairing_codes WHERE code = $1 AND expires_at < $2', [code, ctx.now()]);
      const rows = await tx.query(
        `INSERT INTO pairing_codes (code, device_code_hash, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (code) DO NOTHING RETURNING id`,
        [code, hash(deviceCode), expiresAt],
      );
      return rows.length > 0;
    });
    if (created) return { code, deviceCode, expiresIn: PAIRING_TTL_S, interval: PAIRING_POLL_INTERVAL_S };
  }
  throw new AppError(503, 'pairing_busy', 'No pairing code is free right now. Try again in a minute.');
}

/** The kiosk's poll: pending, or the device token exactly once. */
export async function pollPairing(
  ctx: AppContext,
  deviceCode: string,
): Promise<{ status: 200 | 202; body: PairingTokenResponse }> {
  const now = ctx.now();
  const row = await ctx.db.withoutTenant(async (tx) => {
    const [found] = await tx.query<{
      id: string;
      expires_at: Date;
      last_poll_at: Date | null;
      tenant_id: string | null;
      kiosk_id: string | null;
      delivered_at: Date | null;
    }>(
      'SELECT id, expires_at, last_poll_at, tenant_id, kiosk_id, delivered_at FROM pairing_codes WHERE device_code_hash = $1 FOR UPDATE',
      [hash(deviceCode)],
    );
    if (!found) return undefined;
    await tx.query('UPDATE pairing_codes SET last_poll_at = $2 WHERE id = $1', [found.id, now]);
    if (found.kiosk_id && !found.delivered_at) {
      await tx.query('UPDATE pairing_codes SET delivered_at = $2 WHERE id = $1', [found.id, now]);
    }
    return found;
  });
  if (!row) throw invalidInput('deviceCode', 'is not a pairing in progress');
  if (row.delivered_at || (!row.kiosk_id && row.expires_at <= now)) {
    throw new AppError(410, 'expired', 'This pairing code has expired. Start again for a new code.');
  }
  // Polling faster than the interval (with a little slack for timers) is told to slow down.
  if (
    !row.kiosk_id &&
    row.last_poll_at &&
    now.getTime() - row.last_poll_at.getTime() < (PAIRING_POLL_INTERVAL_S - 1) * 1000
  ) {
    throw new AppError(429, 'slow_down', `Poll at most every ${PAIRING_POLL_INTERVAL_S} seconds.`, undefined, {
      'Retry-After': String(PAIRING_POLL_INTERVAL_S),
    });
  }
  if (!row.kiosk_id || !row.tenant_id) return { status: 202, body: { status: 'pending' } };
  const tenantId = row.tenant_id;
  const kioskId = row.kiosk_id;
  const kiosk = await ctx.db.withTenant(tenantId, async (tx) => {
    const [k] = await tx.query<KioskSummary>('SELECT id, name, site_id AS "siteId" FROM kiosks WHERE id = $1', [
      kioskId,
    ]);
    if (!k) return undefined;
    const device = await ctx.tokens.signDeviceToken({ kioskId, tenantId, siteId: k.siteId });
    await tx.query('UPDATE kiosks SET token_jti = $2, last_seen = now() WHERE id = $1', [kioskId, device.jti]);
    return { summary: k, token: device.token };
  });
  if (!kiosk) throw new AppError(410, 'expired', 'This kiosk was removed before it finished pairing.');
  return { status: 200, body: { status: 'paired', deviceToken: kiosk.token, kiosk: kiosk.summary } };
}

/** A receptionist types the code shown on the tablet: the kiosk is created for the site and the code is bound to it. */
export async function pairKiosk(
  ctx: AppContext,
  who: { tenantId: string; userId: string; ip: string | null },
  input: { code: string; siteId: string; name: string },
): Promise<KioskSummary> {
  const now = ctx.now();
  const [pending] = await ctx.db.withoutTenant((tx) =>
    tx.query<{ id: string }>(
      'SELECT id FROM pairing_codes WHERE code = $1 AND expires_at > $2 AND kiosk_id IS NULL FOR UPDATE',
      [input.code, now],
    ),
  );
  if (!pending) {
    await ctx.db.withTenant(who.tenantId, (tx) =>
      recordAudit(tx, {
        actorType: 'user',
        actorId: who.userId,
        action: 'kiosk.pair',
        outcome: 'failure',
        ip: who.ip,
        details: { reason: 'unknown_code' },
      }),
    );
    throw new AppError(
      404,
      'unknown_code',
      'No kiosk is showing this code. Check the code on the tablet; it changes every 10 minutes.',
    );
  }
  const kiosk = await ctx.db.withTenant(who.tenantId, async (tx) => {
    const [site] = await tx.query('SELECT 1 FROM sites WHERE id = $1', [input.siteId]);
    if (!site) throw notFound('site');
    const [k] = await tx.query<KioskSummary>(
      `INSERT INTO kiosks (tenant_id, site_id, name, paired_by) VALUES (app_current_tenant(), $1, $2, $3)
       RETURNING id, name, site_id AS "siteId"`,
      [input.siteId, input.name, who.userId],
    );
    await recordAudit(tx, {
      actorType: 'user',
      actorId: who.userId,
      action: 'kiosk.paired',
      targetType: 'kiosk',
      targetId: k!.id,
      outcome: 'success',
      ip: who.ip,
      details: { siteId: input.siteId },
    });
    return k!;
  });
  const bound = await ctx.db.withoutTenant((tx) =>
    tx.query('UPDATE pairing_codes SET tenant_id = $2, kiosk_id = $3 WHERE id = $1 AND kiosk_id IS NULL RETURNING id', [
      pending.id,
      who.tenantId,
      kiosk.id,
    ]),
  );
  if (bound.length === 0) {
    // Someone else paired this code a moment earlier: remove our kiosk again.
    await ctx.db.withTenant(who.tenantId, (tx) => tx.query('DELETE FROM kiosks WHERE id = $1', [kiosk.id]));
    throw new AppError(404, 'unknown_code', 'This code was just used to pair another kiosk.');
  }
  return kiosk;
}
