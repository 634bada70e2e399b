import { randomUUID } from 'node:crypto';
import { type AgentEvent, ServerLink } from '@atrium/agent/testing';
import { startDirectAgentListener, startTestServer, type TestServer, testBackend } from '@atrium/server/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOffice } from './office';

// The agent's real link against the real server hub over real mTLS.
let s: TestServer;
let direct: Awaited<ReturnType<typeof startDirectAgentListener>>;
let port: number;
let tenantId: string;
let bundle: { cert: string; key: string; ca: string };
let agentId: string;
const logger = pino({ level: 'silent' });

beforeAll(async () => {
  s = await startTestServer();
  const office = await seedOffice(s, { email: 'link@example.com', agentName: 'Link test' });
  tenantId = office.tenantId;
  bundle = office.registration.bundle;
  agentId = office.registration.agent.id;
  direct = await startDirectAgentListener(s.ctx, { port: 0, host: '127.0.0.1', hostnames: ['localhost', '127.0.0.1'] });
  port = (direct.server.address() as { port: number }).port;
});
afterAll(async () => {
  direct?.server.close();
  await s?.stop();
});

const status = () => ({
  agentVersion: 'test',
  uptimeSeconds: 1,
  activeSessions: 0,
  vouchers: 0,
  radius: { requests: 0, accepts: 0, rejects: 0, duplicates: 0, malformed: 0, dropped: 0, accounting: 0 },
  buffer: { length: 0, dropped: 0 },
  rssBytes: 1,
  cpuSeconds: 0,
});

function makeLink(url: string, reconciled: () => void = () => {}) {
  return new ServerLink({
    url,
    tls: bundle,
    logger,
    minBackoffMs: 50,
    maxBackoffMs: 200,
    handlers: { status, reconcile: () => ({ add: () => {}, commit: reconciled }), upsert: () => {}, revoke: () => {} },
  });
}

const authEvent = (i: number): AgentEvent => ({
  type: 'radius.auth',
  at: new Date().toISOString(),
  voucherId: null,
  result: 'reject',
  reason: `test-${i}`,
  method: 'pap',
  nasIp: '127.0.0.1',
  nasIdentifier: null,
});

async function recordedAuths(): Promise<string[]> {
  const rows = await s.db.withTenant(tenantId, (tx) =>
    tx
      .selectFrom('audit_events')
      .select('details')
      .where('action', '=', 'radius.auth')
      .where('actor_id', '=', agentId)
      .$narrowType<{ details: { reason: string } }>()
      .execute(),
  );
  return rows.map((row) => row.details.reason);
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 150_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe(`agent link against the hub on ${testBackend()}`, () => {
  it('buffers 10,001 events while the server is away: 10,000 arrive after reconnect, 1 is counted dropped', async () => {
    // Nothing listens on this port yet: the server is "away".
    const away = await startDirectAgentListener(s.ctx, { port: 0, host: '127.0.0.1', hostnames: ['localhost'] });
    const awayPort = (away.server.address() as { port: number }).port;
    await new Promise((resolve) => away.server.close(resolve));
    const link = makeLink(`wss://localhost:${awayPort}/agent/ws`);
    link.start();
    for (let i = 0; i < 10_001; i++) link.report(authEvent(i));
    expect(link.buffer.length).toBe(10_000);
    expect(link.buffer.dropped).toBe(1);
    link.stop();

    // The server comes back (same link object, now pointed at the live listener).
    const back = makeLink(`wss://localhost:${port}/agent/ws`);
    for (const event of link.buffer.pending()) back.buffer.push(event);
    back.start();
    await until(async () => back.buffer.length === 0);
    back.stop();
    const reasons = await recordedAuths();
    expect(reasons).toHaveLength(10_000);
    expect(new Set(reasons).size).toBe(10_000);
    expect(reasons).not.toContain('test-0');
  }, 240_000);

  it('a link killed mid-flush loses nothing and duplicates nothing on the server', async () => {
    const before = (await recordedAuths()).length;
    const link = makeLink(`wss://localhost:${port}/agent/ws`);
    let kills = 0;
    link.start();
    await until(() => link.ready);
    const ids: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const reason = `flush-${randomUUID().slice(0, 8)}`;
      ids.push(reason);
      link.report({ ...authEvent(i), reason } as AgentEvent);
      // Cut the connection twice while events are in flight.
      if (i === 800 || i === 2000) {
        kills += 1;
        s.ctx.hub.disconnect(agentId);
      }
    }
    await until(async () => link.ready && link.buffer.length === 0);
    link.stop();
    const after = await recordedAuths();
    const flushed = after.filter((r) => r.startsWith('flush-'));
    expect(kills).toBe(2);
    expect(after.length - before).toBe(3000);
    expect(new Set(flushed)).toEqual(new Set(ids));
    expect(link.reconciles).toBeGreaterThanOrEqual(2);
  }, 240_000);
});
