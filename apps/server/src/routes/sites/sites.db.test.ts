import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, api, signInAdmin } from '../../../test/actors';
import { testBackend } from '../../../test/db';
import { startTestServer, type TestServer } from '../../../test/http';
import { errorOf, jsonOf } from '../../../test/json';
import { bootstrap } from '../../bootstrap';

let s: TestServer;
let admin: string;
let siteId: string;
beforeAll(async () => {
  s = await startTestServer();
  const boot = await bootstrap(s.db, {
    ATRIUM_ADMIN_EMAIL: 'sites@example.com',
    ATRIUM_ADMIN_PASSWORD: ADMIN_PASSWORD,
  });
  if (!boot.created) throw new Error('no tenant');
  siteId = boot.siteId;
  admin = (await signInAdmin(s, 'sites@example.com')).accessToken;
});
afterAll(() => s?.stop());

describe(`sites and settings on ${testBackend()}`, () => {
  it('shows defaults, and changes are validated, saved and audited', async () => {
    const before = await jsonOf<{
      retentionDays: number;
      sites: Array<{ id: string; settings: Record<string, unknown> }>;
    }>(await api(s, admin).get('/settings'));
    expect(before.retentionDays).toBe(30);
    expect(before.sites[0]!.settings).toEqual({
      maxVisitHours: 24,
      arrivalToleranceMinutes: 60,
      walkInsAllowed: false,
      keyMaxAgeSeconds: 604800,
      walkInsPerKiosk: 10,
      walkInsPerSite: 30,
      walkInWindowMinutes: 10,
      staffPinSet: false,
      language: 'en',
      address: '',
      wifiDetailsEmail: true,
      chatWebhookUrl: null,
    });

    const patched = await api(s, admin).patch(`/sites/${siteId}`, {
      timezone: 'Europe/Berlin',
      walkInsAllowed: true,
      wifiSsid: 'Atrium-Guest',
    });
    expect(patched.status).toBe(200);
    expect(await jsonOf(patched)).toMatchObject({
      timezone: 'Europe/Berlin',
      wifiSsid: 'Atrium-Guest',
      settings: { walkInsAllowed: true },
    });

    const badZone = await api(s, admin).patch(`/sites/${siteId}`, { timezone: 'Mars/Olympus' });
    expect([badZone.status, (await errorOf(badZone)).details?.field]).toEqual([400, 'timezone']);
    const badSsid = await api(s, admin).patch(`/sites/${siteId}`, { wifiSsid: 'x'.repeat(33) });
    expect(badSsid.status).toBe(400);
    const plainWebhook = await api(s, admin).patch(`/sites/${siteId}`, {
      chatWebhookUrl: 'http://hooks.example.com/x',
    });
    expect([plainWebhook.status, (await errorOf(plainWebhook)).details?.field]).toEqual([400, 'chatWebhookUrl']);
    const email = await api(s, admin).patch(`/sites/${siteId}`, {
      language: 'de',
      chatWebhookUrl: 'https://hooks.example.com/services/T0/B0/x',
      wifiDetailsEmail: false,
    });
    expect(await jsonOf(email)).toMatchObject({
      settings: {
        language: 'de',
        chatWebhookUrl: 'https://hooks.example.com/services/T0/B0/x',
        wifiDetailsEmail: false,
      },
    });
    expect((await api(s, admin).patch('/settings', { retentionDays: 0 })).status).toBe(400);
    expect(await jsonOf(await api(s, admin).patch('/settings', { retentionDays: 90 }))).toEqual({ retentionDays: 90 });

    const created = await api(s, admin).post('/sites', { name: 'Annex', timezone: 'Europe/Vienna' });
    expect(created.status).toBe(201);
    const sites = await jsonOf<Array<{ name: string }>>(await api(s, admin).get('/sites'));
    expect(sites.map((site) => site.name)).toEqual(['Annex', 'Main office']);
    const audit = await jsonOf<{ items: Array<{ action: string }> }>(await api(s, admin).get('/audit?action=site'));
    expect(audit.items.map((i) => i.action)).toEqual(['site.created', 'site.updated', 'site.updated']);
  });
});
