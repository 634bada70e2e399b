import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase, testBackend } from '../../test/db';
import { seedTenant } from '../../test/fixtures';
import { createSite, type SiteActor, settingsView, updateSite, updateTenantSettings } from './sites';

let t: TestDatabase;
let actor: SiteActor;
let mainSite: string;
beforeAll(async () => {
  t = await freshDatabase();
  const tenant = await seedTenant(t.db, 'sites');
  mainSite = tenant.siteId;
  actor = { userId: tenant.adminUserId, tenantId: tenant.tenantId, ip: '192.0.2.7' };
});
afterAll(() => t?.close());

const auditOf = (action: string) =>
  t.db.withTenant(actor.tenantId, (tx) =>
    tx
      .selectFrom('audit_events')
      .select((eb) => ['target_id', eb.fn<string>('host', ['ip']).as('ip'), 'details'])
      .where('action', '=', action)
      .orderBy('id')
      .execute(),
  );

describe(`the sites service on ${testBackend()}`, () => {
  it('shows settings only for the sites the caller administers, among those visible', async () => {
    const annex = await createSite(t.db, actor, { name: 'Annex', timezone: 'UTC', wifiSsid: 'Guest' });
    const onlyAnnex = await settingsView(t.db, actor.tenantId, {
      visible: null,
      mayAdminister: (siteId) => siteId === annex.id,
    });
    expect(onlyAnnex.retentionDays).toBe(30);
    expect(onlyAnnex.sites.map((site) => site.name)).toEqual(['Annex']);
    const invisible = await settingsView(t.db, actor.tenantId, { visible: [mainSite], mayAdminister: () => true });
    expect(invisible.sites.map((site) => site.id)).toEqual([mainSite]);
    expect((await auditOf('site.created')).map((row) => [row.target_id, row.ip])).toEqual([[annex.id, '192.0.2.7']]);
  });

  it('merges site settings, audits the changed field names, and refuses an unknown site without an audit entry', async () => {
    await updateSite(t.db, actor, mainSite, { walkInsAllowed: true });
    const site = await updateSite(t.db, actor, mainSite, { name: 'Head office', maxVisitHours: 8 });
    expect(site).toMatchObject({ name: 'Head office', settings: { walkInsAllowed: true, maxVisitHours: 8 } });

    const unknown = updateSite(t.db, actor, '00000000-0000-4000-8000-000000000000', { name: 'Nowhere' });
    await expect(unknown).rejects.toMatchObject({ status: 404, code: 'not_found' });
    expect((await auditOf('site.updated')).map((row) => row.details)).toEqual([
      { fields: 'walkInsAllowed' },
      { fields: 'maxVisitHours,name' },
    ]);
  });

  it('keeps the new retention for the tenant', async () => {
    expect(await updateTenantSettings(t.db, actor, { retentionDays: 90 })).toEqual({ retentionDays: 90 });
    expect((await settingsView(t.db, actor.tenantId, { visible: null, mayAdminister: () => true })).retentionDays).toBe(
      90,
    );
    expect((await auditOf('settings.updated')).map((row) => row.details)).toEqual([{ retentionDays: 90 }]);
  });
});
