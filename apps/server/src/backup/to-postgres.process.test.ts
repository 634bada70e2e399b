import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CreatedVisit, TokenPair } from '@atrium/protocol';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createScratchDatabase } from '../../test/pg-url';
import { freePort, type ServerProcess, spawnServer } from '../../test/process';

// An office moving from the embedded database to PostgreSQL: `npm run migrate-to-postgres`, then the server on
// DATABASE_URL with the same DATA_DIR (for its secret.key) serves the same data.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const PASSWORD = 'moving day passphrase';
const running: ServerProcess[] = [];
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const server of running.splice(0)) await stop(server);
});
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

async function stop(server: ServerProcess) {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGTERM');
  await server.exited;
}

async function start(env: Record<string, string>) {
  const port = await freePort();
  const server = spawnServer({ ...env, PORT: String(port), ATRIUM_ADMIN_PASSWORD: PASSWORD });
  running.push(server);
  await server.waitFor('Atrium is running');
  return { server, url: `http://127.0.0.1:${port}/api/v1` };
}

function move(env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'apps/server/src/backup/to-postgres.ts')],
      { cwd: root, env: { PATH: process.env.PATH, ...env }, timeout: 120_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

const call = (url: string, method: string, pathname: string, body?: unknown, token?: string) =>
  fetch(`${url}${pathname}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

async function signIn(url: string): Promise<string> {
  const res = await call(url, 'POST', '/auth/login', { email: 'admin@localhost', password: PASSWORD });
  expect(res.status).toBe(200);
  return ((await res.json()) as TokenPair).accessToken;
}

describe('npm run migrate-to-postgres', { timeout: 180_000 }, () => {
  it('moves users, visits, keys and kiosks; an old QR code checks in on PostgreSQL; a second move is refused', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-move-'));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const target = await createScratchDatabase('atrium_move');
    cleanups.push(() => target.drop());

    const embedded = await start({ DATA_DIR: dataDir });
    const admin = await signIn(embedded.url);
    const [site] = (await (await call(embedded.url, 'GET', '/sites', undefined, admin)).json()) as Array<{
      id: string;
    }>;
    const visit = (await (
      await call(
        embedded.url,
        'POST',
        '/visits',
        {
          siteId: site!.id,
          visitor: { name: 'Ada Moving' },
          expectedArrival: new Date().toISOString(),
          expectedDeparture: new Date(Date.now() + 4 * 3600_000).toISOString(),
        },
        admin,
      )
    ).json()) as CreatedVisit;
    const pairing = (await (await call(embedded.url, 'POST', '/kiosk/pairing', {})).json()) as {
      code: string;
      deviceCode: string;
      interval: number;
    };
    await call(embedded.url, 'POST', '/kiosks/pair', { code: pairing.code, siteId: site!.id, name: 'Lobby' }, admin);
    let deviceToken: string | undefined;
    for (let i = 0; i < 20 && !deviceToken; i++) {
      const res = await call(embedded.url, 'POST', '/kiosk/pairing/token', { deviceCode: pairing.deviceCode });
      if (res.status === 200) deviceToken = ((await res.json()) as { deviceToken: string }).deviceToken;
      else await new Promise((resolve) => setTimeout(resolve, pairing.interval * 1000));
    }
    expect(deviceToken).toBeDefined();

    // Refused while the embedded server runs.
    expect((await move({ DATA_DIR: dataDir, DATABASE_URL: target.url })).code).toBe(1);
    await stop(embedded.server);

    const moved = await move({ DATA_DIR: dataDir, DATABASE_URL: target.url });
    expect(moved.out).toMatch(/Moved \d+ rows/);
    expect(moved.code).toBe(0);

    const onPostgres = await start({ DATA_DIR: dataDir, DATABASE_URL: target.url });
    expect(onPostgres.server.stdout()).toContain('PostgreSQL');
    const again = await signIn(onPostgres.url);
    const fetched = await call(onPostgres.url, 'GET', `/visits/${visit.id}`, undefined, again);
    expect(((await fetched.json()) as { visitor: { name: string } }).visitor.name).toBe('Ada Moving');
    const checkIn = await call(
      onPostgres.url,
      'POST',
      '/kiosk/check-ins',
      { token: visit.qrToken, idempotencyKey: crypto.randomUUID(), occurredAt: new Date().toISOString() },
      deviceToken,
    );
    expect(checkIn.status).toBe(201);
    // New rows continue after the moved ones (identity sequences were carried on).
    expect((await call(onPostgres.url, 'GET', '/audit?limit=5', undefined, again)).status).toBe(200);
    await stop(onPostgres.server);

    const twice = await move({ DATA_DIR: dataDir, DATABASE_URL: target.url });
    expect(twice.code).toBe(1);
    expect(twice.out).toMatch(/already holds Atrium data/);
  });
});
