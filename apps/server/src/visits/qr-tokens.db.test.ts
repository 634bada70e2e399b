import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../test/db';
import { seedTenant } from '../../test/fixtures';
import { type VisitOffice, visitOffice } from '../../test/visit-office';
import { cancelVisit } from './manage';
import { scanTime, verifyScan, visitQrToken } from './qr-tokens';

let o: VisitOffice;
beforeAll(async () => {
  o = await visitOffice('qr');
});
afterAll(() => o?.s.stop());

describe(`QR codes on ${testBackend()}`, () => {
  it("a visit's code verifies at its own site only, and only with its own tenant's keys", async () => {
    const visit = await o.visit({ name: 'Grace Hopper' });
    const token = (await visitQrToken(o.s.ctx, o.tenantId, visit.id))!;
    const now = o.clock.now();
    expect(await verifyScan(o.s.ctx.keys, o.kiosk, token, now)).toMatchObject({
      visitId: visit.id,
      displayName: 'Grace H.',
    });
    await expect(
      verifyScan(o.s.ctx.keys, { tenantId: o.tenantId, siteId: crypto.randomUUID() }, token, now),
    ).rejects.toMatchObject({ status: 422, code: 'wrong_site' });
    const other = await seedTenant(o.s.db, 'qr-other');
    await expect(
      verifyScan(o.s.ctx.keys, { tenantId: other.tenantId, siteId: o.siteId }, token, now),
    ).rejects.toMatchObject({ status: 422, code: 'invalid_token' });
    const later = new Date(now.getTime() + 5 * 3600_000);
    await expect(verifyScan(o.s.ctx.keys, o.kiosk, token, later)).rejects.toMatchObject({ code: 'token_expired' });
  });

  it('a cancelled visit has no code left to show', async () => {
    const visit = await o.visit();
    await cancelVisit(o.s.ctx, o.tenantId, o.staff, visit.id);
    expect(await visitQrToken(o.s.ctx, o.tenantId, visit.id)).toBeUndefined();
  });

  it('a scan is offline when the kiosk says so or when it arrives over a minute late; never from the future', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
    expect(scanTime(now, ago(30_000)).offline).toBe(false);
    expect(scanTime(now, ago(30_000), true).offline).toBe(true);
    expect(scanTime(now, ago(5 * 60_000)).offline).toBe(true);
    expect(() => scanTime(now, ago(-10 * 60_000))).toThrow(
      expect.objectContaining({ details: { field: 'occurredAt' } }),
    );
    expect(() => scanTime(now, ago(73 * 3600_000))).toThrow(expect.objectContaining({ status: 400 }));
  });
});
