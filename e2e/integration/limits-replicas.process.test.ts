import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createScratchDatabase, freePort, spawnServer } from '@atrium/server/testing/process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PASSWORD = 'replica password 123';
const CONCURRENT = 220;
const cleanups: Array<() => Promise<void> | void> = [];
let a: string;
let b: string;

async function call(base: string, p: string, body: unknown, token?: string) {
  const res = await fetch(`${base}/api/v1${p}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
const countOf = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

beforeAll(async () => {
  const scratch = await createScratchDatabase();
  cleanups.push(scratch.drop);
  const shared = {
    DATABASE_URL: scratch.url,
    ATRIUM_SECRET_KEY: randomBytes(32).toString('base64'),
    ATRIUM_ADMIN_PASSWORD: PASSWORD,
    LOG_LEVEL: 'warn',
  };
  const start = async () => {
    const port = await freePort();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-limits-'));
    const server = spawnServer({ ...shared, DATA_DIR: dataDir, PORT: String(port) });
    cleanups.push(() => {
      server.child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    });
    await server.waitFor('Kiosk:');
    return `http://127.0.0.1:${port}`;
  };
  a = await start();
  b = await start();
}, 60_000);
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('rate limits across two server processes on one PostgreSQL', () => {
  it(`${CONCURRENT} concurrent wrong pairing codes split over both: at most 10 looked up, the live code stays hidden`, async () => {
    const token = (await call(a, '/auth/login', { email: 'admin@localhost', password: PASSWORD })).body
      .accessToken as string;
    const sites = (await (
      await fetch(`${a}/api/v1/sites`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as Array<{ id: string }>;
    const live = (await call(b, '/kiosk/pairing', {})).body as { code: string };
    const wrong = (i: number) => String((Number(live.code) + 1 + i) % 1_000_000).padStart(6, '0');
    const statuses = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) =>
        call(i % 2 ? b : a, '/kiosks/pair', { code: wrong(i), siteId: sites[0]!.id, name: 'Guess' }, token).then(
          (r) => r.status,
        ),
      ),
    );
    expect(countOf(statuses, 404)).toBeLessThanOrEqual(10);
    expect(countOf(statuses, 404) + countOf(statuses, 429)).toBe(CONCURRENT);
    const right = await call(a, '/kiosks/pair', { code: live.code, siteId: sites[0]!.id, name: 'Guess' }, token);
    expect(right.status).toBe(429);
  });

  it(`${CONCURRENT} concurrent wrong passwords split over both: at most 5 checked`, async () => {
    const statuses = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) =>
        call(i % 2 ? b : a, '/auth/login', { email: 'admin@localhost', password: `wrong ${i}` }).then((r) => r.status),
      ),
    );
    expect(countOf(statuses, 401)).toBeLessThanOrEqual(5);
    expect(countOf(statuses, 401) + countOf(statuses, 429)).toBe(CONCURRENT);
  });
});
