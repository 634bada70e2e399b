import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createScratchDatabase } from '../../test/pg-url';
import { freePort, spawnServer } from '../../test/process';
import { Database } from '../db/database';
import { openPglite } from '../db/pglite';
import { openPostgres } from '../db/postgres';

const PASSWORD = 'correct horse battery staple';
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup().catch(() => {});
});

/** Drives a real server process: sign in, pair a kiosk, register visits, then a burst of check-ins and kill -9. */
async function burstAndKill(env: Record<string, string>) {
  const port = await freePort();
  const server = spawnServer({ ...env, PORT: String(port), ATRIUM_ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'warn' });
  cleanups.push(async () => {
    server.child.kill('SIGKILL');
  });
  await server.waitFor('Kiosk:');
  const base = `http://127.0.0.1:${port}/api/v1`;
  const call = async (method: string, p: string, body?: unknown, token?: string) => {
    const res = await fetch(`${base}${p}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, unknown> };
  };
  const admin = (await call('POST', '/auth/login', { email: 'admin@localhost', password: PASSWORD })).body
    .accessToken as string;
  const [site] = (await call('GET', '/sites', undefined, admin)).body as unknown as Array<{ id: string }>;
  const pairing = (await call('POST', '/kiosk/pairing', {})).body as unknown as { code: string; deviceCode: string };
  await call('POST', '/kiosks/pair', { code: pairing.code, siteId: site!.id, name: 'Crash lobby' }, admin);
  const kiosk = (await call('POST', '/kiosk/pairing/token', { deviceCode: pairing.deviceCode })).body
    .deviceToken as string;
  const tokens: string[] = [];
  for (let i = 0; i < 60; i++) {
    const visit = await call(
      'POST',
      '/visits',
      {
        siteId: site!.id,
        visitor: { name: `Crash Visitor ${i}` },
        expectedArrival: new Date(Date.now() - 600_000).toISOString(),
        expectedDeparture: new Date(Date.now() + 3_600_000).toISOString(),
      },
      admin,
    );
    tokens.push(visit.body.qrToken as string);
  }
  let answered = 0;
  const burst = tokens.map((token) =>
    call(
      'POST',
      '/kiosk/check-ins',
      { token, idempotencyKey: randomUUID(), occurredAt: new Date().toISOString() },
      kiosk,
    )
      .then((r) => {
        if (r.status === 201) answered++;
      })
      .catch(() => {}),
  );
  // Kill in the middle of the burst: some check-ins committed, some in flight, some never started.
  while (answered < 5) await new Promise((resolve) => setTimeout(resolve, 5));
  server.child.kill('SIGKILL');
  await server.exited;
  await Promise.all(burst);
  return answered;
}

async function assertConsistent(db: Database) {
  const [tenantId] = await db.tenantIds();
  const report = await db.withTenant(tenantId!, async (tx) => ({
    checkedInWithoutVoucher: await tx
      .selectFrom('visits as v')
      .select('v.id')
      .where('v.status', '=', 'checked_in')
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('vouchers as w')
              .select('w.id')
              .whereRef('w.visit_id', '=', 'v.id')
              .where('w.status', '=', 'active'),
          ),
        ),
      )
      .execute(),
    voucherWithoutCheckIn: await tx
      .selectFrom('vouchers as w')
      .select('w.id')
      .where(({ or, not, exists, selectFrom }) =>
        or([
          not(
            exists(
              selectFrom('check_ins as c')
                .select('c.id')
                .whereRef('c.voucher_id', '=', 'w.id')
                .where('c.kind', '=', 'check_in'),
            ),
          ),
          not(
            exists(
              selectFrom('visits as v')
                .select('v.id')
                .whereRef('v.id', '=', 'w.visit_id')
                .where('v.status', '=', 'checked_in'),
            ),
          ),
        ]),
      )
      .execute(),
    consumedWithoutCheckIn: await tx
      .selectFrom('qr_tokens as q')
      .select('q.jti')
      .where('q.consumed_at', 'is not', null)
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('visits as v')
              .select('v.id')
              .whereRef('v.id', '=', 'q.visit_id')
              .where('v.status', '=', 'checked_in'),
          ),
        ),
      )
      .execute(),
    checkedIn: await tx
      .selectFrom('visits')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'checked_in')
      .executeTakeFirstOrThrow(),
  }));
  expect(report.checkedInWithoutVoucher).toEqual([]);
  expect(report.voucherWithoutCheckIn).toEqual([]);
  expect(report.consumedWithoutCheckIn).toEqual([]);
  return report.checkedIn.n;
}

describe('kill -9 during a burst of check-ins', { timeout: 120_000 }, () => {
  it('leaves PostgreSQL with no visit checked in without its voucher and no voucher without its check-in', async () => {
    const scratch = await createScratchDatabase();
    cleanups.push(scratch.drop);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-crash-'));
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const answered = await burstAndKill({ DATABASE_URL: scratch.url, DATA_DIR: dataDir });
    const db = new Database(await openPostgres(scratch.url, { max: 1 }));
    const committed = await assertConsistent(db);
    await db.close();
    expect(committed).toBeGreaterThanOrEqual(answered);
    expect(committed).toBeLessThan(60);
  });

  it('leaves the embedded database consistent too', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-crash-'));
    cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
    const answered = await burstAndKill({ DATA_DIR: dataDir });
    const db = new Database(await openPglite({ dataDir }));
    const committed = await assertConsistent(db);
    await db.close();
    expect(committed).toBeGreaterThanOrEqual(answered);
  });
});
