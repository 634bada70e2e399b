import { randomUUID } from 'node:crypto';
import { agentMessageSchema } from '@atrium/protocol';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freshDatabase, type TestDatabase, testBackend } from '../../test/db';
import { seedTenant } from '../../test/fixtures';
import { type DomainEvent, EventDispatcher } from '../events/outbox';
import { type ReportingAgent, recordAgentEvents, recordConnection } from './recorder';
import { storableEvent } from './storable';

let t: TestDatabase;
let agent: ReportingAgent;

beforeAll(async () => {
  t = await freshDatabase();
  const tenant = await seedTenant(t.db, 'recorder');
  const row = await t.db.withTenant(tenant.tenantId, (tx) =>
    tx.selectFrom('agents').select('id').executeTakeFirstOrThrow(),
  );
  agent = { id: row.id, tenantId: tenant.tenantId, siteId: tenant.siteId };
});
afterAll(() => t?.close());

const reported = (fields: Record<string, unknown>) =>
  storableEvent(agentMessageSchema.parse({ v: 1, at: new Date().toISOString(), ...fields }), new Date());

const acct = (id: string, fields: Record<string, unknown> = {}) =>
  reported({
    id,
    type: 'radius.acct',
    status: 'start',
    voucherId: null,
    acctSessionId: id,
    nasIp: '10.0.0.1',
    nasIdentifier: 'ap-1',
    callingStationId: 'AA-BB-CC-00-11-22',
    framedIp: null,
    sessionTime: 0,
    inputOctets: 0,
    outputOctets: 0,
    terminateCause: null,
    ...fields,
  });

const sessionIds = async () =>
  (
    await t.db.withTenant(agent.tenantId, (tx) =>
      tx.selectFrom('radius_sessions').select('acct_session_id').orderBy('acct_session_id').execute(),
    )
  ).map((row) => row.acct_session_id);

const auditOf = (action: string) =>
  t.db.withTenant(agent.tenantId, (tx) =>
    tx
      .selectFrom('audit_events')
      .select(['outcome', 'details'])
      .where('action', '=', action)
      .where('actor_id', '=', agent.id)
      .orderBy('id')
      .$castTo<{ outcome: string; details: Record<string, unknown> }>()
      .execute(),
  );

describe(`recording what agents report, on ${testBackend()}`, () => {
  it('records status, sign-ins and sessions in one batch; a resent event is a duplicate, recorded once', async () => {
    const status = reported({
      id: randomUUID(),
      type: 'agent.status',
      agentVersion: '1.2.3',
      uptimeSeconds: 42,
      activeSessions: 1,
      vouchers: 2,
      radius: { requests: 1, accepts: 1, rejects: 0, duplicates: 0, malformed: 0, dropped: 0, accounting: 0 },
      buffer: { length: 0, dropped: 0 },
      rssBytes: 50_000_000,
      cpuSeconds: 0.5,
    });
    const auth = reported({
      id: 'auth-1',
      type: 'radius.auth',
      voucherId: null,
      result: 'reject',
      reason: 'unknown_user',
      method: 'pap',
      nasIp: '10.0.0.1',
      nasIdentifier: null,
    });
    expect(await recordAgentEvents(t.db, agent, [status, auth, acct('session-1')])).toEqual([
      'recorded',
      'recorded',
      'recorded',
    ]);
    expect(await recordAgentEvents(t.db, agent, [acct('session-1'), auth])).toEqual(['duplicate', 'duplicate']);
    expect((await sessionIds()).filter((id) => id === 'session-1')).toHaveLength(1);
    expect(await auditOf('radius.auth')).toEqual([
      { outcome: 'failure', details: expect.objectContaining({ reason: 'unknown_user', method: 'pap' }) },
    ]);
    const [row] = await t.db.withTenant(agent.tenantId, (tx) =>
      tx.selectFrom('agents').select('last_status').where('id', '=', agent.id).execute(),
    );
    expect(row!.last_status).toMatchObject({ agentVersion: '1.2.3', uptimeSeconds: 42 });
    expect(row!.last_status).not.toHaveProperty('type');
  });

  it('audits which fields were cleaned; a refused event is set aside as rejected and its batch-mates are kept', async () => {
    const cleaned = acct('nul', { acctSessionId: 'N\u0000UL' });
    expect(cleaned.cleaned).toEqual(['acctSessionId']);
    await t.db.asOwner((tx) =>
      sql`ALTER TABLE radius_sessions ADD CONSTRAINT test_refuses_poison CHECK (acct_session_id <> 'poison')`.execute(
        tx,
      ),
    );
    const outcomes = await recordAgentEvents(t.db, agent, [acct('before'), cleaned, acct('poison'), acct('after')]);
    expect(outcomes.map((o) => (typeof o === 'object' ? o.rejected : o))).toEqual([
      'recorded',
      'recorded',
      'a value that breaks a database constraint',
      'recorded',
    ]);
    expect(await sessionIds()).toEqual(expect.arrayContaining(['NUL', 'after', 'before']));
    expect(await sessionIds()).not.toContain('poison');
    expect((await auditOf('agent.event_cleaned')).map((row) => row.details)).toEqual([
      { eventId: 'nul', eventType: 'radius.acct', fields: 'acctSessionId' },
    ]);
    expect((await auditOf('agent.event_rejected')).map((row) => row.details)).toEqual([
      {
        eventId: 'poison',
        eventType: 'radius.acct',
        sqlstate: '23514',
        reason: 'a value that breaks a database constraint',
      },
    ]);
    // Sent again, the rejected event is a duplicate: the agent drops it and nothing new is audited.
    expect(await recordAgentEvents(t.db, agent, [acct('poison')])).toEqual(['duplicate']);
    expect(await auditOf('agent.event_rejected')).toHaveLength(1);
  });

  it('records the connection state and tells subscribers after commit', async () => {
    const events = new EventDispatcher(t.db, pino({ level: 'silent' }), 60_000);
    const delivered: DomainEvent[] = [];
    events.subscribe((event) => delivered.push(event));
    await recordConnection({ db: t.db, events }, agent, true);
    const connected = (state: boolean) =>
      t.db.withTenant(agent.tenantId, (tx) =>
        tx.selectFrom('agents').select('connected').where('id', '=', agent.id).where('connected', '=', state).execute(),
      );
    expect(await connected(true)).toHaveLength(1);
    await recordConnection({ db: t.db, events }, agent, false);
    expect(await connected(false)).toHaveLength(1);
    // Nothing polls this dispatcher: only the wake-up after each commit delivers.
    await vi.waitFor(() =>
      expect(delivered.filter((e) => e.type.startsWith('agent.')).map((e) => [e.type, e.siteId, e.payload])).toEqual([
        ['agent.connected', agent.siteId, { agentId: agent.id }],
        ['agent.disconnected', agent.siteId, { agentId: agent.id }],
      ]),
    );
  });
});
