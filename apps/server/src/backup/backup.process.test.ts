import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  call,
  checkInWithKiosk,
  createOfficeProcesses,
  runScript,
  seedVisitAndKiosk,
  signInOffice,
  stopServer,
} from '../../test/office-process';

// The embedded database's backup round trip, the way an operator runs it: a live server, `npm run backup`, the data
// directory wiped, `npm run restore`, and the server started again on the restored directory.
const offices = createOfficeProcesses();
const dirs: string[] = [];
afterEach(() => offices.stopAll());
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

const tempDir = (prefix: string) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
};
const cli = (args: string[], dataDir: string) => runScript('backup/cli.ts', args, { DATA_DIR: dataDir });
const jwks = async (url: string) => (await fetch(url.replace('/api/v1', '/.well-known/jwks.json'))).json();

describe('npm run backup / npm run restore (embedded database)', { timeout: 180_000 }, () => {
  it('backup while running, wipe, restore: the same users, visits and keys, and an old QR code still checks in', async () => {
    const dataDir = tempDir('atrium-backup-data-');
    const archive = path.join(tempDir('atrium-backup-out-'), 'office.tar.gz');

    // Before: a visit with its QR code, and a paired kiosk, on a running server.
    const first = await offices.start({ DATA_DIR: dataDir });
    const { visit, deviceToken } = await seedVisitAndKiosk(first.url, await signInOffice(first.url), 'Ada Backup');
    const jwksBefore = await jwks(first.url);

    // A restore is refused while the server owns the directory.
    expect((await cli(['restore', archive], dataDir)).code).toBe(1);

    const backup = await cli(['backup', '--out', archive], dataDir);
    expect(backup.out).toContain('asking it to write the backup');
    expect(backup.code).toBe(0);
    expect(fs.statSync(archive).mode & 0o777).toBe(0o600);
    expect(first.server.stdout()).toMatch(/backup written/);
    await stopServer(first.server);

    // Wipe the data directory entirely.
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.mkdirSync(dataDir);
    const restored = await cli(['restore', archive], dataDir);
    expect(restored.out).toMatch(/Restored the backup of .* into/);
    expect(restored.code).toBe(0);

    const second = await offices.start({ DATA_DIR: dataDir });
    // The admin's password, the visit, the signing keys and the kiosk's device token all came back.
    const fetched = await call(second.url, 'GET', `/visits/${visit.id}`, undefined, await signInOffice(second.url));
    expect(fetched.status).toBe(200);
    expect(((await fetched.json()) as { visitor: { name: string } }).visitor.name).toBe('Ada Backup');
    expect(await jwks(second.url)).toEqual(jwksBefore);
    expect((await checkInWithKiosk(second.url, deviceToken, visit.qrToken)).status).toBe(201);
    await stopServer(second.server);

    // Over an existing database only with --force, which moves the old one aside instead of deleting it.
    const overExisting = await cli(['restore', archive], dataDir);
    expect(overExisting.code).toBe(1);
    expect(overExisting.out).toMatch(/already holds a database.*--force/);
    expect((await cli(['restore', archive, '--force'], dataDir)).code).toBe(0);
    expect(fs.readdirSync(dataDir).some((name) => name.startsWith('pgdata.before-restore-'))).toBe(true);
  });

  it('backs up a stopped server by opening the directory itself, and says what is wrong with a bad archive', async () => {
    const dataDir = tempDir('atrium-backup-data-');
    await stopServer((await offices.start({ DATA_DIR: dataDir })).server);
    const archive = path.join(tempDir('atrium-backup-out-'), 'stopped.tar.gz');
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
    await signInOffice((await offices.start({ DATA_DIR: dataDir })).url);
  });
});
