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
import { createScratchDatabase } from '../../test/pg-url';

// An office moving from the embedded database to PostgreSQL: `npm run migrate-to-postgres`, then the server on
// DATABASE_URL with the same DATA_DIR (for its secret.key) serves the same data.
const offices = createOfficeProcesses();
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(() => offices.stopAll());
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

const move = (env: Record<string, string>) => runScript('backup/to-postgres.ts', [], env);

describe('npm run migrate-to-postgres', { timeout: 180_000 }, () => {
  it('moves users, visits, keys and kiosks; an old QR code checks in on PostgreSQL; a second move is refused', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-move-'));
    cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const target = await createScratchDatabase('atrium_move');
    cleanups.push(() => target.drop());
    const env = { DATA_DIR: dataDir, DATABASE_URL: target.url };

    const embedded = await offices.start({ DATA_DIR: dataDir });
    const { visit, deviceToken } = await seedVisitAndKiosk(
      embedded.url,
      await signInOffice(embedded.url),
      'Ada Moving',
    );
    // Refused while the embedded server runs.
    expect((await move(env)).code).toBe(1);
    await stopServer(embedded.server);

    const moved = await move(env);
    expect(moved.out).toMatch(/Moved \d+ rows/);
    expect(moved.code).toBe(0);

    const onPostgres = await offices.start(env);
    expect(onPostgres.server.stdout()).toContain('PostgreSQL');
    const admin = await signInOffice(onPostgres.url);
    const fetched = await call(onPostgres.url, 'GET', `/visits/${visit.id}`, undefined, admin);
    expect(((await fetched.json()) as { visitor: { name: string } }).visitor.name).toBe('Ada Moving');
    // The check-in writes audit rows: their identity sequence continues after the moved ones.
    expect((await checkInWithKiosk(onPostgres.url, deviceToken, visit.qrToken)).status).toBe(201);
    await stopServer(onPostgres.server);

    const twice = await move(env);
    expect(twice.code).toBe(1);
    expect(twice.out).toMatch(/already holds Atrium data/);
  });
});
