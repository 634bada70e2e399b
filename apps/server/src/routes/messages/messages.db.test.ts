import type { Message } from '@atrium/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../../../test/actors';
import { testBackend } from '../../../test/db';
import { startTestServer, type TestServer } from '../../../test/http';
import { errorOf, jsonOf } from '../../../test/json';
import { seedTwoSites, type TwoSites } from '../../../test/two-sites';

let s: TestServer;
let w: TwoSites;
let visitS1: string;
let failedS2: string;

beforeAll(async () => {
  // No SMTP_URL: email is off on this server.
  s = await startTestServer();
  w = await seedTwoSites(s);
  const visit = await s.db.withTenant(w.tenantId, (tx) =>
    tx.selectFrom('messages').select('visit_id').executeTakeFirstOrThrow(),
  );
  visitS1 = visit.visit_id;
  // A failed message on the second site (its visit belongs to the first; only the site scopes who sees it).
  const row = await s.db.withTenant(w.tenantId, (tx) =>
    tx
      .insertInto('messages')
      .values({
        tenant_id: w.tenantId,
        site_id: w.s2,
        kind: 'host_arrival',
        visit_id: visitS1,
        state: 'failed',
        attempts: 1,
        last_error: '550 5.1.1 Mailbox unavailable',
      })
      .returning('id')
      .executeTakeFirstOrThrow(),
  );
  failedS2 = row.id;
});
afterAll(() => s?.stop());

const list = async (token: string, query = '') => jsonOf<Message[]>(await api(s, token).get(`/messages${query}`));

describe(`messages on ${testBackend()}`, () => {
  it('lists each site only to its reception staff and admins, filtered by state', async () => {
    expect((await list(w.tokens.tenantAdmin)).map((m) => m.siteId).sort()).toEqual([w.s1, w.s2].sort());
    expect((await list(w.tokens.receptionistS1)).map((m) => m.siteId)).toEqual([w.s1]);
    expect((await list(w.tokens.memberS1AdminS2)).map((m) => m.siteId)).toEqual([w.s2]);
    const failed = await list(w.tokens.tenantAdmin, '?state=failed');
    expect(failed).toEqual([
      expect.objectContaining({
        id: failedS2,
        kind: 'host_arrival',
        state: 'failed',
        attempts: 1,
        lastError: '550 5.1.1 Mailbox unavailable',
        sentAt: null,
      }),
    ]);
    expect((await api(s, w.tokens.memberS1).get('/messages')).status).toBe(403);
    const bad = await api(s, w.tokens.tenantAdmin).get('/messages?state=lost');
    expect([bad.status, (await errorOf(bad)).details?.field]).toEqual([400, 'state']);
  });

  it('retries a failed message for staff of its site only, and only once it has failed', async () => {
    expect((await api(s, w.tokens.receptionistS1).post(`/messages/${failedS2}/retry`)).status).toBe(404);
    const retried = await api(s, w.tokens.memberS1AdminS2).post(`/messages/${failedS2}/retry`);
    expect(retried.status).toBe(200);
    expect(await jsonOf<Message>(retried)).toMatchObject({ id: failedS2, state: 'queued', lastError: null });
    const again = await api(s, w.tokens.memberS1AdminS2).post(`/messages/${failedS2}/retry`);
    expect([again.status, (await errorOf(again)).code]).toEqual([409, 'message_not_failed']);
  });

  it('refuses to send an invitation while email is off, and says so on /me', async () => {
    const res = await api(s, w.tokens.tenantAdmin).post(`/visits/${visitS1}/invitation`);
    expect([res.status, (await errorOf(res)).code]).toEqual([409, 'email_not_configured']);
    const me = await jsonOf<{ emailConfigured: boolean }>(await api(s, w.tokens.tenantAdmin).get('/me'));
    expect(me.emailConfigured).toBe(false);
    expect((await api(s, w.tokens.memberS2).post(`/visits/${visitS1}/invitation`)).status).toBe(404);
  });
});
