/**
 * Check-in throughput against PostgreSQL, with the floor measured in the same run: the HTTP path (verify, auth, one
 * transaction, outbox) versus the same SQL statements sent straight through `pg` at the same concurrency. Also the time
 * from a check-in's response to its voucher reaching a real agent WebSocket (mTLS).
 *
 *   npm run bench:checkin            (BENCH_CHECKINS=5000 BENCH_CONCURRENCY=32 BENCH_DATABASE_URL=postgres://…)
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandUuid } from '@atrium/qr-token';
import pg from 'pg';
import WebSocket from 'ws';
import { percentile, progress, report, round, runConcurrent } from './lib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.env.BENCH_CHECKINS ?? 5000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const BASE = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PASSWORD = 'bench password 1234';

const dbUrl = (name: string) => {
  const url = new URL(BASE);
  url.pathname = `/${name}`;
  return url.toString();
};

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function main() {
  const name = `atrium_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: dbUrl('postgres') });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-bench-'));
  const port = await freePort();
  const agentPort = await freePort();
  const server = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'apps/server/src/main.ts')], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      AGENT_TLS_PORT: String(agentPort),
      HOST: '127.0.0.1',
      DATABASE_URL: dbUrl(name),
      DATA_DIR: dataDir,
      ATRIUM_ADMIN_PASSWORD: PASSWORD,
      ATRIUM_SECRET_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const cleanup = async () => {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      let out = '';
      server.stdout!.on('data', (chunk) => {
        out += chunk;
        if (out.includes('Kiosk:')) resolve();
      });
      server.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    const base = `http://127.0.0.1:${port}/api/v1`;
    const call = async (method: string, p: string, body?: unknown, token?: string) => {
      const res = await fetch(`${base}${p}`, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const login = await call('POST', '/auth/login', { email: 'admin@localhost', password: PASSWORD });
    const token = login.body.accessToken as string;
    const sites = (await call('GET', '/sites', undefined, token)).body as unknown as Array<{ id: string }>;
    const siteId = sites[0]!.id;
    const pairing = (await call('POST', '/kiosk/pairing', {})).body as { code: string; deviceCode: string };
    await call('POST', '/kiosks/pair', { code: pairing.code, siteId, name: 'Bench kiosk' }, token);
    const device = (await call('POST', '/kiosk/pairing/token', { deviceCode: pairing.deviceCode })).body;
    const kioskToken = device.deviceToken as string;
    const kioskId = (device.kiosk as { id: string }).id;

    process.stderr.write(`Registering ${2 * N} visits...\n`);
    const visits: Array<{ id: string; qrToken: string; jti: string }> = [];
    let made = 0;
    await runConcurrent(2 * N, 16, async (i) => {
      const visit = await call(
        'POST',
        '/visits',
        {
          siteId,
          visitor: { name: `Bench Visitor ${i}` },
          expectedArrival: new Date(Date.now() - 600_000).toISOString(),
          expectedDeparture: new Date(Date.now() + 8 * 3600_000).toISOString(),
        },
        token,
      );
      const qrToken = visit.body.qrToken as string;
      const claims = JSON.parse(Buffer.from(qrToken.split('.')[1]!, 'base64url').toString()) as { jti: string };
      visits.push({ id: visit.body.id as string, qrToken, jti: expandUuid(claims.jti)! });
      progress('visits', ++made, 2 * N);
    });
    const httpVisits = visits.slice(0, N);
    const rawVisits = visits.slice(N);

    // A real agent connection over mTLS: the voucher.upsert frame is what the WiFi side waits for.
    const reg = (await call('POST', '/agents', { siteId, name: 'Bench agent' }, token)).body as {
      bundle: { cert: string; key: string; ca: string };
    };
    const arrivals = new Map<string, number>();
    const agent = new WebSocket(`wss://localhost:${agentPort}/agent/ws`, {
      cert: reg.bundle.cert,
      key: reg.bundle.key,
      ca: reg.bundle.ca,
      maxPayload: 64 * 1024 * 1024,
    });
    await new Promise<void>((resolve, reject) => {
      agent.once('error', reject);
      agent.on('message', (data) => {
        const message = JSON.parse(data.toString()) as { type: string; voucher?: { username: string } };
        if (message.type === 'vouchers.reconcile') resolve();
        if (message.type === 'voucher.upsert' && message.voucher)
          arrivals.set(message.voucher.username, performance.now());
      });
      agent.once('open', () =>
        agent.send(
          JSON.stringify({
            v: 1,
            id: randomUUID(),
            type: 'agent.status',
            agentVersion: 'bench',
            uptimeSeconds: 0,
            activeSessions: 0,
            vouchers: 0,
            radius: { requests: 0, accepts: 0, rejects: 0, duplicates: 0, malformed: 0, dropped: 0, accounting: 0 },
            buffer: { length: 0, dropped: 0 },
            rssBytes: 0,
            cpuSeconds: 0,
          }),
        ),
      );
    });

    process.stderr.write(`HTTP: ${N} check-ins, concurrency ${CONCURRENCY}...\n`);
    const latencies: number[] = [];
    const responded = new Map<string, number>();
    let failures = 0;
    let done = 0;
    const httpMs = await runConcurrent(N, CONCURRENCY, async (i) => {
      const visit = httpVisits[i]!;
      const started = performance.now();
      const res = await call(
        'POST',
        '/kiosk/check-ins',
        { token: visit.qrToken, idempotencyKey: randomUUID(), occurredAt: new Date().toISOString() },
        kioskToken,
      );
      const now = performance.now();
      if (res.status !== 201) failures++;
      latencies.push(now - started);
      const username = (res.body.voucher as { username?: string } | undefined)?.username;
      if (username) responded.set(username, now);
      progress('http', ++done, N);
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    agent.close();

    process.stderr.write(`Raw pg: the same statements, ${N} transactions, concurrency ${CONCURRENCY}...\n`);
    const pool = new pg.Pool({ connectionString: dbUrl(name), max: CONCURRENCY });
    const [tenant] = (await pool.query<{ id: string }>('SELECT id FROM tenants')).rows;
    const sealed = `v1.${randomBytes(12).toString('base64url')}.${randomBytes(24).toString('base64url')}`;
    done = 0;
    const rawMs = await runConcurrent(N, CONCURRENCY, async (i) => {
      const visit = rawVisits[i]!;
      const client = await pool.connect();
      try {
        // The kiosk token's revocation check (its own transaction in the server too).
        await client.query('BEGIN');
        await client.query('SET LOCAL ROLE atrium_app');
        await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenant!.id]);
        await client.query('SELECT revoked_at FROM kiosks WHERE id = $1', [kioskId]);
        await client.query('COMMIT');
        await client.query('BEGIN');
        await client.query('SET LOCAL ROLE atrium_app');
        await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenant!.id]);
        // The visit is locked first, then the key is claimed for it (as in visits/check-in.ts).
        const [row] = (
          await client.query<{ site_id: string; expected_departure: Date }>(
            'SELECT status, site_id, expected_departure FROM visits WHERE id = $1 FOR UPDATE',
            [visit.id],
          )
        ).rows;
        const [claim] = (
          await client.query<{ id: string }>(
            `INSERT INTO check_ins (tenant_id, kind, idempotency_key, kiosk_id, user_id, visit_id, occurred_at, offline)
             VALUES (app_current_tenant(), 'check_in', $1, $2, NULL, $3, now(), false)
             ON CONFLICT DO NOTHING RETURNING id`,
            [randomUUID(), kioskId, visit.id],
          )
        ).rows;
        await client.query(
          `UPDATE qr_tokens SET consumed_at = now(), consumed_by_kiosk = $3
            WHERE jti = $1 AND visit_id = $2 AND consumed_at IS NULL AND revoked_at IS NULL RETURNING jti`,
          [visit.jti, visit.id, kioskId],
        );
        await client.query(
          "UPDATE visits SET status = 'checked_in', checked_in_at = now(), updated_at = now() WHERE id = $1",
          [visit.id],
        );
        const [voucherId] = (await client.query<{ id: string }>('SELECT gen_random_uuid() AS id')).rows;
        await client.query(
          `INSERT INTO vouchers (id, tenant_id, site_id, visit_id, username, password_sealed, valid_from, valid_until)
           VALUES ($1, app_current_tenant(), $2, $3, $4, $5, now(), $6)
           ON CONFLICT (site_id, username) WHERE status = 'active' DO NOTHING RETURNING id, version`,
          [
            voucherId!.id,
            row!.site_id,
            visit.id,
            `raw-${i}-${randomBytes(3).toString('hex')}`,
            sealed,
            row!.expected_departure,
          ],
        );
        await client.query('UPDATE check_ins SET voucher_id = $2 WHERE id = $1', [claim!.id, voucherId!.id]);
        await client.query(
          `INSERT INTO audit_events (tenant_id, actor_type, actor_id, action, target_type, target_id, outcome, ip, details)
           VALUES (app_current_tenant(), 'kiosk', $1, 'visit.checked_in', 'visit', $2, 'success', '127.0.0.1', $3)`,
          [kioskId, visit.id, JSON.stringify({ checkInId: claim!.id })],
        );
        for (const type of ['visit.checked_in', 'voucher.upserted']) {
          await client.query(
            `SELECT pg_advisory_xact_lock(hashtextextended('atrium_events:' || app_current_tenant()::text, 0))`,
          );
          const [event] = (
            await client.query<{ id: number }>(
              'INSERT INTO events (tenant_id, site_id, type, payload) VALUES (app_current_tenant(), $1, $2, $3) RETURNING id',
              [row!.site_id, type, JSON.stringify({ visitId: visit.id })],
            )
          ).rows;
          await client.query('SELECT pg_notify($1, $2)', ['atrium_events', String(event!.id)]);
        }
        await client.query(
          `SELECT c.visit_id, w.username, w.password_sealed, w.valid_until, p.name, s.wifi_ssid
             FROM check_ins c JOIN vouchers w ON w.id = c.voucher_id JOIN visits v ON v.id = c.visit_id
             JOIN visitors p ON p.id = v.visitor_id JOIN sites s ON s.id = v.site_id WHERE c.id = $1`,
          [claim!.id],
        );
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      progress('raw', ++done, N);
    });
    await pool.end();

    latencies.sort((a, b) => a - b);
    const delays = [...responded]
      .filter(([id]) => arrivals.has(id))
      .map(([id, at]) => Math.max(0, arrivals.get(id)! - at));
    delays.sort((a, b) => a - b);
    const httpRate = (N / httpMs) * 1000;
    const rawRate = (N / rawMs) * 1000;
    const result = {
      backend: 'postgres',
      checkins: N,
      concurrency: CONCURRENCY,
      failures,
      checkins_per_s: round(httpRate, 1),
      raw_pg_tx_per_s: round(rawRate, 1),
      ratio_vs_raw_pg: round(httpRate / rawRate, 3),
      p50_ms: round(percentile(latencies, 50)),
      p99_ms: round(percentile(latencies, 99)),
      voucher_events_seen: delays.length,
      voucher_at_agent_p99_ms: round(percentile(delays, 99)),
      voucher_event_subscriber: 'agent_ws_mtls',
    };
    report(
      'checkin',
      [
        `check-ins over HTTP: ${result.checkins_per_s}/s (p50 ${result.p50_ms} ms, p99 ${result.p99_ms} ms, ${failures} failed)`,
        `same SQL straight through pg: ${result.raw_pg_tx_per_s}/s`,
        `ratio vs raw pg: ${result.ratio_vs_raw_pg} (goal >= 0.5)`,
        `voucher at the agent (mTLS WebSocket) after the response: p99 ${result.voucher_at_agent_p99_ms} ms over ${delays.length} vouchers (goal < 50 ms)`,
      ],
      result,
    );
  } finally {
    await cleanup();
  }
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
  process.exit(1);
});
