import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackend } from '../../test/db';
import { type VisitOffice, visitOffice } from '../../test/visit-office';
import { eraseVisitor } from '../privacy/erasure';
import { checkInByStaff } from '../visits/check-in';
import { cancelVisit } from '../visits/manage';
import { queueMessages } from './intake';

let o: VisitOffice;
beforeAll(async () => {
  o = await visitOffice('intake');
});
afterAll(() => o?.s.stop());

const messagesOf = (visitId: string) =>
  o.inTenant((tx) =>
    tx
      .selectFrom('messages')
      .select(['kind', 'state', 'event_id'])
      .where('visit_id', '=', visitId)
      .orderBy('created_at')
      .orderBy('kind')
      .execute(),
  );
const intake = (emailOn = true) => queueMessages({ db: o.s.db, emailOn }, o.tenantId);

describe(`queueing messages from visit events on ${testBackend()}`, () => {
  it('queues one invitation per event, however often the events are read again', async () => {
    const visit = await o.visit({ name: 'Ada Lovelace' });
    await intake();
    expect(await messagesOf(visit.id)).toEqual([{ kind: 'invitation', state: 'queued', event_id: expect.any(Number) }]);
    await intake();
    // As after a crash between queueing and moving the cursor: every event is read again.
    await o.s.db.withTenant(o.tenantId, (tx) => tx.updateTable('tenants').set({ message_cursor: 0 }).execute());
    await intake();
    expect(await messagesOf(visit.id)).toHaveLength(1);
  });

  it('queues the host arrival and WiFi details on check-in, and a chat post only where a webhook is set', async () => {
    const visit = await o.visit({ name: 'Grace Hopper' });
    await o.s.db.withTenant(o.tenantId, (tx) =>
      tx
        .updateTable('sites')
        .set({ settings: JSON.stringify({ chatWebhookUrl: 'https://hooks.example.com/x' }) })
        .where('id', '=', o.siteId)
        .execute(),
    );
    await checkInByStaff(o.s.ctx, o.tenantId, o.staff, { id: visit.id, siteId: o.siteId }, undefined);
    await intake(false);
    // Email off: only the chat post; the invitation of the visit was never queued either.
    expect((await messagesOf(visit.id)).map((m) => m.kind)).toEqual(['chat_arrival']);
    await o.s.db.withTenant(o.tenantId, (tx) =>
      tx.updateTable('sites').set({ settings: '{}' }).where('id', '=', o.siteId).execute(),
    );
  });

  it('drops a queued invitation when the visit is cancelled; a visitor erased takes their messages along', async () => {
    const cancelled = await o.visit({ name: 'Cancelled Visitor' });
    await intake();
    await cancelVisit(o.s.ctx, o.tenantId, o.staff, cancelled.id);
    await intake();
    // Never sent, so nothing to withdraw from a calendar.
    expect(await messagesOf(cancelled.id)).toEqual([]);

    const erased = await o.visit({ name: 'Erased Visitor' });
    await intake();
    expect(await messagesOf(erased.id)).toHaveLength(1);
    await eraseVisitor(o.s.ctx, o.tenantId, o.staff, erased.visitorId);
    expect(await messagesOf(erased.id)).toEqual([]);
  });

  it('sends nothing for events from before email existed on this instance', async () => {
    await o.s.db.withTenant(o.tenantId, (tx) =>
      tx
        .updateTable('tenants')
        .set({ message_cursor: 0, messages_since: new Date(Date.now() + 3600_000) })
        .execute(),
    );
    const visit = await o.visit({ name: 'Old Visit' });
    await intake();
    expect(await messagesOf(visit.id)).toEqual([]);
  });
});
