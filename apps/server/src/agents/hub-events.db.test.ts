import { randomUUID } from 'node:crypto';
import type { CreatedVisit } from '@atrium/protocol';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, api, pairKiosk, scan, signInAdmin } from '../../test/actors';
import { type Bundle, TestAgent } from '../../test/agent-client';
import { testClock } from '../../test/clock';
import { testBackend } from '../../test/db';
import { startTestServer, type TestServer } from '../../test/http';
import { jsonOf } from '../../test/json';
import { adminUrl, testPostgresUrl } from '../../test/pg-url';
import { bootstrap } from '../bootstrap';
import { startDirectAgentListener } from './listener';

// Agent events carrying values the database cannot store (NUL, lone surrogates, year 0, numbers past a column's range)
// must never stop the link: each is cleaned or recorded as rejected, and acked, and its batch-mates are recorded.
const EMAIL = 'agent-events@example.com';
const clock = testClock();
let s: TestServer;
let direct: Awaited<ReturnType<typeof startDirectAgentListener>>;
let tenantId: string;
let siteId: string;
let admin: string;
let kiosk: { token: string };
let agentId: string;
let agent: TestAgent;
let url: string;
let bundle: Bundle;

beforeAll(async () => {
  s = await startTestServer({ now: clock.now });
  const boot = await bootstrap(s.db, { ATRIUM_ADMIN_EMAIL: EMAIL, ATRIUM_ADMIN_PASSWORD: ADMIN_PASSWORD });
  if (!boot.created) throw new Error('no tenant');
  ({ tenantId, siteId } = boot);
  admin = (await signInAdmin(s, EMAIL)).accessToken;
  kiosk = await pairKiosk(s, admin, siteId, clock.advance);
  direct = await startDirectAgentListener(s.ctx, { port: 0, host: '127.0.0.1', hostnames: ['localhost'] });
  const reg = await jsonOf<{ agent: { id: string }; bundle: Bundle }>(
    await api(s, admin).post('/agents', { siteId, name: 'Lobby' }),
  );
  agentId = reg.agent.id;
  bundle = reg.bundle;
  url = `wss://localhost:${(direct.server.address() as { port: number }).port}/agent/ws`;
  agent = TestAgent.direct(url, bundle);
  await agent.opened;
  agent.sendStatus();
  await agent.next('vouchers.reconcile');
});
afterAll(async () => {
  agent?.close();
  direct?.server.close();
  await s?.stop();
});

async function checkIn(name: string) {
  const visit = await jsonOf<CreatedVisit>(
    await api(s, admin).post('/visits', {
      siteId,
      visitor: { name },
      expectedArrival: clock.now().toISOString(),
      expectedDeparture: new Date(clock.now().getTime() + 3600_000).toISOString(),
    }),
  );
  const res = await api(s, kiosk.token).post('/kiosk/check-ins', scan(visit.qrToken, clock.now()));
  expect(res.status).toBe(201);
  return jsonOf<{ voucher: { username: string } }>(res);
}

const acct = (id: string, fields: Record<string, unknown> = {}) => ({
  v: 1,
  id,
  type: 'radius.acct',
  at: new Date().toISOString(),
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

const auth = (id: string, fields: Record<string, unknown> = {}) => ({
  v: 1,
  id,
  type: 'radius.auth',
  at: new Date().toISOString(),
  voucherId: null,
  result: 'reject',
  reason: 'unknown_user',
  method: 'pap',
  nasIp: '10.0.0.1',
  nasIdentifier: null,
  ...fields,
});

async function waitForAcks(ids: string[]) {
  for (const id of ids) await agent.next('ack', (m) => m.ackId === id);
}

const sessions = () =>
  s.db.withTenant(tenantId, (tx) =>
    tx
      .selectFrom('radius_sessions')
      .select(['acct_session_id', 'nas_identifier', 'started_at', 'session_time', 'input_octets', 'terminate_cause'])
      .execute(),
  );

const audit = (action: string) =>
  s.db.withTenant(tenantId, (tx) =>
    tx
      .selectFrom('audit_events')
      .select(['outcome', 'details'])
      .where('action', '=', action)
      .where('actor_id', '=', agentId)
      .orderBy('id')
      .$castTo<{ outcome: string; details: Record<string, unknown> }>()
      .execute(),
  );

describe(`agent events the database cannot store, on ${testBackend()}`, () => {
  it('cleans or rejects each bad event, acks it, records its batch-mates, and keeps the link and voucher delivery going', async () => {
    const { voucher: earlier } = await checkIn('Grace Hopper');
    const [voucherRow] = await s.db.withTenant(tenantId, (tx) =>
      tx.selectFrom('vouchers').select('id').where('username', '=', earlier.username).execute(),
    );
    // A value no cleaning rule foresees: the database refuses this one session id, as a future constraint might.
    await s.db.asOwner((tx) =>
      sql`ALTER TABLE radius_sessions ADD CONSTRAINT test_refuses_poison CHECK (acct_session_id <> 'poison')`.execute(
        tx,
      ),
    );
    const receivedFrom = clock.now();
    // A status first keeps the hub busy, so the frames after it arrive while it records and land in one batch.
    agent.sendStatus();
    const frames = [
      acct('good-1'),
      acct('nul', { acctSessionId: 'A\u0000B', nasIdentifier: 'ap\u0000' }),
      auth('surrogate', { reason: 'bad\udc00', nasIdentifier: '\ud800' }),
      acct('year-0', { at: '0000-01-01T00:00:00Z' }),
      acct('year-0-offset', { at: '0001-01-01T00:00:00+14:00' }),
      acct('far-future', { at: '9999-12-31T23:59:59Z' }),
      acct('overflow', { sessionTime: 2 ** 31, terminateCause: -(2 ** 40), inputOctets: Number.MAX_SAFE_INTEGER }),
      {
        v: 1,
        id: 'terminate-overflow',
        type: 'session.terminate.result',
        at: new Date().toISOString(),
        voucherId: voucherRow!.id,
        acctSessionId: 'sess\u0000',
        terminator: 'coa',
        result: 'nak',
        errorCause: 2 ** 40,
        detail: 'firewall said \u0000\udfff',
      },
      acct('poison'),
      acct('good-2'),
    ];
    for (const frame of frames) agent.send(frame);
    await waitForAcks(frames.map((f) => f.id));
    expect(agent.ws.readyState).toBe(agent.ws.OPEN);

    const byId = new Map((await sessions()).map((row) => [row.acct_session_id, row]));
    expect(byId.has('good-1') && byId.has('good-2')).toBe(true);
    expect(byId.get('AB')?.nas_identifier).toBe('ap');
    for (const id of ['year-0', 'year-0-offset', 'far-future']) {
      const startedAt = byId.get(id)!.started_at.getTime();
      expect(startedAt).toBeGreaterThanOrEqual(receivedFrom.getTime() - 1000);
      expect(startedAt).toBeLessThanOrEqual(clock.now().getTime() + 1000);
    }
    expect(byId.get('overflow')).toMatchObject({
      session_time: null,
      terminate_cause: null,
      input_octets: Number.MAX_SAFE_INTEGER,
    });
    expect(byId.has('poison')).toBe(false);

    const [authRow] = await s.db.withTenant(tenantId, (tx) =>
      tx
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'radius.auth')
        .where('actor_id', '=', agentId)
        .$narrowType<{ details: { reason: string } }>()
        .execute(),
    );
    expect(authRow!.details.reason).toBe('bad\ufffd');
    const [termination] = await s.db.withTenant(tenantId, (tx) =>
      tx.selectFrom('session_terminations').select(['acct_session_id', 'error_cause', 'detail']).execute(),
    );
    expect(termination).toEqual({ acct_session_id: 'sess', error_cause: null, detail: 'firewall said \ufffd' });

    const cleaned = await audit('agent.event_cleaned');
    expect(Object.fromEntries(cleaned.map((row) => [row.details.eventId, row.details.fields]))).toEqual({
      nul: 'acctSessionId,nasIdentifier',
      surrogate: 'reason,nasIdentifier',
      'year-0': 'at',
      'year-0-offset': 'at',
      'far-future': 'at',
      overflow: 'sessionTime,terminateCause',
      'terminate-overflow': 'acctSessionId,errorCause,detail',
    });
    const rejected = await audit('agent.event_rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({
      outcome: 'failure',
      details: {
        eventId: 'poison',
        eventType: 'radius.acct',
        sqlstate: '23514',
        reason: 'a value that breaks a database constraint',
      },
    });
    expect(s.ctx.hub.stats()).toMatchObject({ cleanedEvents: 7, rejectedEvents: 1 });

    // A resent rejected event is acked again and not recorded twice.
    agent.messages.length = 0;
    agent.send(acct('poison'));
    await waitForAcks(['poison']);
    expect(await audit('agent.event_rejected')).toHaveLength(1);

    // Voucher delivery never stopped: the next check-in reaches this same connection.
    const { voucher } = await checkIn('Katherine Johnson');
    await agent.next('voucher.upsert', (m) => m.voucher.username === voucher.username);
    expect(agent.ws.readyState).toBe(agent.ws.OPEN);
  });

  it('refuses a message id that could not be stored or logged, with an error naming it, and keeps the link', async () => {
    agent.messages.length = 0;
    for (const id of ['bad\u0000id', 'line\nbreak', 'x'.repeat(65)]) {
      agent.send(acct(id, { acctSessionId: 'refused' }));
      expect(await agent.next('error', (m) => m.ref === id.slice(0, 64))).toMatchObject({ code: 'invalid_message' });
    }
    agent.send(acct('after-bad-ids'));
    await waitForAcks(['after-bad-ids']);
    expect((await sessions()).map((row) => row.acct_session_id)).not.toContain('refused');
  });

  it('an announcing agent.status with bad values is cleaned and still brings the reconciliation', async () => {
    const again = TestAgent.direct(url, bundle);
    await again.opened;
    again.send({
      v: 1,
      id: randomUUID(),
      type: 'agent.status',
      agentVersion: 'v1\u0000\ud800',
      uptimeSeconds: 5,
      activeSessions: 0,
      vouchers: 0,
      radius: { requests: 1, accepts: 1, rejects: 0, duplicates: 0, malformed: 0, dropped: 0, accounting: 0 },
      buffer: { length: 0, dropped: 0 },
      rssBytes: 50_000_000,
      cpuSeconds: 0.5,
    });
    const reconcile = await again.next('vouchers.reconcile');
    expect(reconcile.vouchers.length).toBeGreaterThan(0);
    const [row] = await s.db.withTenant(tenantId, (tx) =>
      tx
        .selectFrom('agents')
        .select(sql<string>`last_status->>'agentVersion'`.as('version'))
        .where('id', '=', agentId)
        .execute(),
    );
    expect(row!.version).toBe('v1\ufffd');
    again.close();
  });

  it.runIf(testBackend() === 'postgres')(
    'database trouble that says nothing about the event (outage, lock timeout) never gets it rejected: it is recorded on resend',
    async () => {
      const name = new URL(s.databaseUrl!).pathname.slice(1);
      const dba = new pg.Client({ connectionString: adminUrl(testPostgresUrl()) });
      await dba.connect();
      // Sessions opened after the outage carry a short lock timeout, so a lock wait below ends in an error quickly.
      await dba.query(`ALTER DATABASE ${name} SET lock_timeout = '300ms'`);
      const first = TestAgent.direct(url, bundle);
      try {
        await first.opened;
        first.sendStatus();
        await first.next('vouchers.reconcile');
        await dba.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
        await dba.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
        first.send(acct('during-outage'));
        expect((await first.closed).code).toBe(1011);
        expect(first.messages.some((m) => m.type === 'ack' && m.ackId === 'during-outage')).toBe(false);
      } finally {
        await dba.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      }
      // The agent reconnects and sends what was never acked again.
      const second = TestAgent.direct(url, bundle);
      await second.opened;
      second.sendStatus();
      await second.next('vouchers.reconcile');
      second.send(acct('during-outage'));
      await second.next('ack', (m) => m.ackId === 'during-outage');

      const holder = new pg.Client({ connectionString: s.databaseUrl });
      await holder.connect();
      const interim = acct('interim', { acctSessionId: 'during-outage', status: 'interim', sessionTime: 60 });
      try {
        await holder.query('BEGIN');
        await holder.query("SELECT 1 FROM radius_sessions WHERE acct_session_id = 'during-outage' FOR UPDATE");
        second.send(interim);
        expect((await second.closed).code).toBe(1011);
        expect(second.messages.some((m) => m.type === 'ack' && m.ackId === 'interim')).toBe(false);
      } finally {
        await holder.query('ROLLBACK');
        await holder.end();
        await dba.query(`ALTER DATABASE ${name} RESET lock_timeout`);
        await dba.end();
      }
      const third = TestAgent.direct(url, bundle);
      await third.opened;
      third.sendStatus();
      await third.next('vouchers.reconcile');
      third.send(interim);
      await third.next('ack', (m) => m.ackId === 'interim');
      const rows = (await sessions()).filter((row) => row.acct_session_id === 'during-outage');
      expect(rows).toMatchObject([{ session_time: 60 }]);
      const rejected = (await audit('agent.event_rejected')).map((row) => row.details.eventId);
      expect(rejected).not.toContain('during-outage');
      expect(rejected).not.toContain('interim');
      third.close();
    },
  );
});
