import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createScratchDatabase, freePort, type ServerProcess, spawnServer, TestAgent } from '@atrium/server/testing';
import { afterAll, describe, expect, it } from 'vitest';

const PASSWORD = 'replica password 123';
const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function call(base: string, method: string, p: string, body?: unknown, token?: string) {
  const res = await fetch(`${base}/api/v1${p}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('two server processes on one PostgreSQL', { timeout: 120_000 }, () => {
  it('a check-in on replica B reaches the agent connected to replica A', async () => {
    const scratch = await createScratchDatabase();
    cleanups.push(scratch.drop);
    const shared = {
      DATABASE_URL: scratch.url,
      ATRIUM_SECRET_KEY: randomBytes(32).toString('base64'),
      ATRIUM_ADMIN_PASSWORD: PASSWORD,
      LOG_LEVEL: 'warn',
    };
    const start = async (extra: Record<string, string>) => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-replica-'));
      const server: ServerProcess = spawnServer({ ...shared, DATA_DIR: dataDir, ...extra });
      cleanups.push(() => {
        server.child.kill('SIGKILL');
        fs.rmSync(dataDir, { recursive: true, force: true });
      });
      await server.waitFor('Kiosk:');
      return server;
    };
    const [portA, portB, tlsA] = [await freePort(), await freePort(), await freePort()];
    await start({ PORT: String(portA), AGENT_TLS_PORT: String(tlsA) });
    await start({ PORT: String(portB) });
    const a = `http://127.0.0.1:${portA}`;
    const b = `http://127.0.0.1:${portB}`;

    const tokenA = (await call(a, 'POST', '/auth/login', { email: 'admin@localhost', password: PASSWORD })).body
      .accessToken as string;
    const [site] = (await call(a, 'GET', '/sites', undefined, tokenA)).body as unknown as Array<{ id: string }>;
    const reg = (await call(a, 'POST', '/agents', { siteId: site!.id, name: 'Replica agent' }, tokenA)).body as {
      bundle: { cert: string; key: string; ca: string };
    };
    const agent = TestAgent.direct(`wss://localhost:${tlsA}/agent/ws`, reg.bundle);
    cleanups.push(() => agent.close());
    await agent.opened;
    agent.sendStatus();
    await agent.next('vouchers.reconcile');

    // Everything else happens on replica B.
    const tokenB = (await call(b, 'POST', '/auth/login', { email: 'admin@localhost', password: PASSWORD })).body
      .accessToken as string;
    const pairing = (await call(b, 'POST', '/kiosk/pairing', {})).body as { code: string; deviceCode: string };
    await call(b, 'POST', '/kiosks/pair', { code: pairing.code, siteId: site!.id, name: 'Replica kiosk' }, tokenB);
    const kiosk = (await call(b, 'POST', '/kiosk/pairing/token', { deviceCode: pairing.deviceCode })).body
      .deviceToken as string;
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      const visit = await call(
        b,
        'POST',
        '/visits',
        {
          siteId: site!.id,
          visitor: { name: `Replica Visitor ${i}` },
          expectedArrival: new Date().toISOString(),
          expectedDeparture: new Date(Date.now() + 3600_000).toISOString(),
        },
        tokenB,
      );
      const checkIn = await call(
        b,
        'POST',
        '/kiosk/check-ins',
        { token: visit.body.qrToken, idempotencyKey: randomUUID(), occurredAt: new Date().toISOString() },
        kiosk,
      );
      const answered = performance.now();
      expect(checkIn.status).toBe(201);
      const username = (checkIn.body.voucher as { username: string }).username;
      await agent.next('voucher.upsert', (m) => m.voucher.username === username);
      latencies.push(performance.now() - answered);
    }
    latencies.sort((x, y) => x - y);
    console.log(
      `voucher at the agent on replica A after a check-in on replica B: median ${latencies[2]!.toFixed(1)} ms, max ${latencies[4]!.toFixed(1)} ms`,
    );
    expect(latencies).toHaveLength(5);
  });
});
