import { warnExpiringCertificates } from './agents/certificates';
import type { AppContext } from './context';
import { purgeTenant } from './privacy/retention';
import { expireVisits } from './visits/expiry';

export const EXPIRY_INTERVAL_MS = 30_000;
export const PURGE_INTERVAL_MS = 60 * 60_000;
/** Expiring agent certificates are looked for hourly; each agent's warning goes out at most once a day. */
export const CERT_CHECK_INTERVAL_MS = 60 * 60_000;

/** Background jobs of every replica; each is safe to run concurrently with the same job elsewhere. */
export function startJobs(ctx: AppContext): () => void {
  let running = false;
  const expiry = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      let total = 0;
      for (const tenantId of await ctx.db.tenantIds()) total += await expireVisits(ctx, tenantId);
      if (total > 0) ctx.logger.info({ expired: total }, 'expired visits past their departure');
    } catch (error) {
      ctx.logger.error({ err: error }, 'the expiry job failed; it runs again shortly');
    } finally {
      running = false;
    }
  }, EXPIRY_INTERVAL_MS);
  expiry.unref();

  let purging = false;
  const purge = setInterval(async () => {
    if (purging) return;
    purging = true;
    try {
      await ctx.limits.sweep();
      for (const tenantId of await ctx.db.tenantIds()) {
        const counts = await purgeTenant(ctx, tenantId);
        if (counts.visitors + counts.events + counts.auditEvents > 0) {
          ctx.logger.info({ tenantId, ...counts }, 'retention purge removed expired personal data');
        }
      }
    } catch (error) {
      ctx.logger.error({ err: error }, 'the retention purge failed; it runs again later');
    } finally {
      purging = false;
    }
  }, PURGE_INTERVAL_MS);
  purge.unref();

  let checking = false;
  const checkCertificates = async () => {
    if (checking) return;
    checking = true;
    try {
      let total = 0;
      for (const tenantId of await ctx.db.tenantIds()) total += await warnExpiringCertificates(ctx, tenantId);
      if (total > 0) {
        ctx.logger.warn({ agents: total }, 'agent certificates expire within 30 days: renew them on the Agents page');
        await ctx.events.wake();
      }
    } catch (error) {
      ctx.logger.error({ err: error }, 'the certificate expiry check failed; it runs again later');
    } finally {
      checking = false;
    }
  };
  const certificates = setInterval(checkCertificates, CERT_CHECK_INTERVAL_MS);
  certificates.unref();
  // Also once at start, so a restart never postpones the day's warning by an hour.
  const firstCheck = setTimeout(checkCertificates, 5_000);
  firstCheck.unref();
  return () => {
    clearInterval(expiry);
    clearInterval(purge);
    clearInterval(certificates);
    clearTimeout(firstCheck);
  };
}
