import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CreatedVisit, TokenPair } from '@atrium/protocol';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freePort, type ServerProcess, spawnServer } from '../../test/process';

// The embedded database's backup round trip, the way an operator runs it: a live server, `npm run backup`, the data
// directory wiped, `npm run restore`, and the server started again on the restored directory.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const PASSWORD = 'backup round trip phrase';
const running: ServerProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const server of running.splice(0)) await stop(server);
});
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

async function stop(server: ServerProcess) {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGTERM');
  await server.exited;
}

async function start(dataDir: string) {
  const port = await freePort();
  const server = spawnServer({ DATA_DIR: dataDir, PORT: String(port), ATRIUM_ADMIN_PASSWORD: PASSWORD });
  running.push(server);
  await server.waitFor('Atrium is running');
  return { server, url: `http://127.0.0.1:${port}/api/v1` };
}

/** `npm run backup` / `npm run restore` as their package scripts run them. */
function cli(args: string[], dataDir: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'apps/server/src/backup/cli.ts'), ...args],
      { cwd: root, env: { PATH: process.env.PATH, DATA_DIR: dataDir }, timeout: 120_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

const call = async (url: string, method: string, pathname: string, body?: unknown, token?: string) =>
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

describe('npm run backup / npm run restore (embedded database)', { timeout: 180_000 }, () => {
  it('backup while running, wipe, restore: the same users, visits and keys, and an old QR code still checks in', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-backup-data-'));
    dirs.push(dataDir);
    const archive = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-backup-out-')), 'office.tar.gz');
    dirs.push(path.dirname(archive));

    // Before: a visit with its QR code, and a paired kiosk, on a running server.
    const first = await start(dataDir);
    const admin = await signIn(first.url);
    const [site] = (await (await call(first.url, 'GET', '/sites', undefined, admin)).json()) as Array<{ id: string }>;
    const now = Date.now();
    const visit = (await (
      await call(
        first.url,
        'POST',
        '/visits',
        {
          siteId: site!.id,
          visitor: { name: 'Ada Backup' },
          expectedArrival: new Date(now).toISOString(),
          expectedDeparture: new Date(now + 4 * 3600_000).toISOString(),
        },
        admin,
      )
    ).json()) as CreatedVisit;
    const pairing = (await (await call(first.url, 'POST', '/kiosk/pairing', {})).json()) as {
      code: string;
      deviceCode: string;
      interval: number;
    };
    expect(
      (await call(first.url, 'POST', '/kiosks/pair', { code: pairing.code, siteId: site!.id, name: 'Lobby' }, admin))
        .status,
    ).toBe(201);
    let deviceToken: string | undefined;
    for (let i = 0; i < 20 && !deviceToken; i++) {
      const res = await call(first.url, 'POST', '/kiosk/pairing/token', { deviceCode: pairing.deviceCode });
      if (res.status === 200) deviceToken = ((await res.json()) as { deviceToken: string }).deviceToken;
      else await new Promise((resolve) => setTimeout(resolve, pairing.interval * 1000));
    }
    expect(deviceToken).toBeDefined();
    const jwksBefore = await (await fetch(first.url.replace('/api/v1', '/.well-known/jwks.json'))).json();

    // A restore is refused while the server owns the directory.
    const refused = await cli(['restore', archive], dataDir);
    expect(refused.code).toBe(1);

    const backup = await cli(['backup', '--out', archive], dataDir);
    expect(backup.out).toContain('asking it to write the backup');
    expect(backup.code).toBe(0);
    expect(fs.statSync(archive).mode & 0o777).toBe(0o600);
    expect(first.server.stdout()).toMatch(/backup written/);
    await stop(first.server);

    // Wipe the data directory entirely.
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.mkdirSync(dataDir);
    const restored = await cli(['restore', archive], dataDir);
    expect(restored.out).toMatch(/Restored the backup of .* into/);
    expect(restored.code).toBe(0);

    const second = await start(dataDir);
    // The admin's password, the visit, the signing keys and the kiosk's device token all came back.
    const again = await signIn(second.url);
    const fetched = await call(second.url, 'GET', `/visits/${visit.id}`, undefined, again);
    expect(fetched.status).toBe(200);
    expect(((await fetched.json()) as { visitor: { name: string } }).visitor.name).toBe('Ada Backup');
    expect(await (await fetch(second.url.replace('/api/v1', '/.well-known/jwks.json'))).json()).toEqual(jwksBefore);
    const checkIn = await call(
      second.url,
      'POST',
      '/kiosk/check-ins',
      { token: visit.qrToken, idempotencyKey: crypto.randomUUID(), occurredAt: new Date().toISOString() },
      deviceToken,
    );
    expect(checkIn.status).toBe(201);
    await stop(second.server);

    // Over an existing database only with --force, which moves the old one aside instead of deleting it.
    const overExisting = await cli(['restore', archive], dataDir);
    expect(overExisting.code).toBe(1);
    expect(overExisting.out).toMatch(/already holds a database.*--force/);
    const forced = await cli(['restore', archive, '--force'], dataDir);
    expect(forced.code).toBe(0);
    expect(fs.readdirSync(dataDir).some((name) => name.startsWith('pgdata.before-restore-'))).toBe(true);
  });

  it('backs up a stopped server by opening the directory itself, and says what is wrong with a bad archive', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-backup-data-'));
    dirs.push(dataDir);
    const { server } = await start(dataDir);
    await stop(server);
    const archive = path.join(dataDir, '..', `${path.basename(dataDir)}.tar.gz`);
    dirs.push(archive);
    const offline = await cli(['backup', '--out', archive], dataDir);
    expect(offline.code).toBe(0);
    expect(offline.out).not.toContain('asking it');
    expect(offline.out).toContain('Backup written');

    const junk = path.join(dataDir, 'junk.tar.gz');
    fs.writeFileSync(junk, 'not an archive');
    const bad = await cli(['restore', junk, '--force'], dataDir);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/is not an Atrium backup/);
    // A refused restore changed nothing: the server starts on the same database.
    const again = await start(dataDir);
    await signIn(again.url);
  });
});
