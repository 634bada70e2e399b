import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { adminUrl, databaseUrl, testPostgresUrl } from '../test/pg-url';
import { freePort, type ServerProcess, spawnServer } from '../test/process';

const running: ServerProcess[] = [];
const dirs: string[] = [];
function start(env: Record<string, string | undefined>) {
  const server = spawnServer(env);
  running.push(server);
  return server;
}
function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atrium-data-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const server of running.splice(0)) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
});
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

/** The one stderr line a person sees, and the exit code. */
async function failure(env: Record<string, string | undefined>) {
  const server = start(env);
  const code = await server.exited;
  return { code, lines: server.stderr().trim().split('\n') };
}

describe('start-up with bad settings stops with one clear line', { timeout: 120_000 }, () => {
  it.each([
    [{ PORT: 'abc' }, /^atrium: configuration: PORT must be a port number \(got "abc"\)$/],
    [
      { DATABASE_URL: 'nonsense' },
      /^atrium: configuration: DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/,
    ],
    [
      { DATABASE_URL: 'postgres://atrium@127.0.0.1:1/atrium' },
      /^atrium: cannot connect to the database at DATABASE_URL \(127\.0\.0\.1:1\)/,
    ],
  ])('%o', async (env, line) => {
    const { code, lines } = await failure({ DATA_DIR: tempDir(), ...env });
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
  });
});

describe('embedded database (PGlite) in DATA_DIR', { timeout: 120_000 }, () => {
  it('prints the admin login once, serves /healthz, and a second process on the same dir is refused', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const first = start({ DATA_DIR: dataDir, PORT: String(port) });
    await first.waitFor('Kiosk:');
    expect(first.stdout()).toMatch(/Sign in as admin@localhost with password [a-km-zA-HJ-NP-Z2-9]{20}\n/);
    expect(first.stdout()).toContain(`Admin:  http://localhost:${port}/`);
    expect(first.stdout()).toContain(`Kiosk:  http://localhost:${port}/kiosk/`);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);

    const second = await failure({ DATA_DIR: dataDir, PORT: String(await freePort()) });
    expect(second.code).toBe(1);
    expect(second.lines).toHaveLength(1);
    expect(second.lines[0]).toMatch(/^atrium: DATA_DIR .* is in use by another Atrium process \(pid \d+\)/);

    // Graceful stop: exit 0 and the lock released, so the next start works and prints no password.
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'atrium.lock'))).toBe(false);
    const again = start({ DATA_DIR: dataDir, PORT: String(port) });
    await again.waitFor('Kiosk:');
    expect(again.stdout()).not.toMatch(/with password/);
    expect(again.stdout()).toContain('Sign in as admin@localhost (the password was printed at first start).');
  });

  it('kill -9 during migrations leaves a database the next start migrates', async () => {
    const dataDir = tempDir();
    const victim = start({ DATA_DIR: dataDir, PORT: String(await freePort()) });
    await victim.waitFor('"msg":"applying migrations"');
    victim.child.kill('SIGKILL');
    await victim.exited;
    expect(victim.stdout()).not.toContain('"msg":"migrations applied"');
    expect(fs.existsSync(path.join(dataDir, 'atrium.lock'))).toBe(true);

    const port = await freePort();
    const next = start({ DATA_DIR: dataDir, PORT: String(port) });
    await next.waitFor('Kiosk:');
    expect(next.stdout()).toContain('"msg":"migrations applied"');
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
  });
});

describe('PostgreSQL (DATABASE_URL)', { timeout: 120_000 }, () => {
  const base = testPostgresUrl();
  const name = `atrium_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  afterAll(async () => {
    const admin = new pg.Client({ connectionString: adminUrl(base) });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  it('two replicas starting at once on an empty database migrate once and bootstrap once', async () => {
    const admin = new pg.Client({ connectionString: adminUrl(base) });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = databaseUrl(base, name);
    const ports = [await freePort(), await freePort()];
    // Replicas share the key that seals private keys at rest, as the README says.
    const secret = randomBytes(32).toString('base64');
    const replicas = ports.map((port) =>
      start({ DATABASE_URL: url, PORT: String(port), DATA_DIR: tempDir(), ATRIUM_SECRET_KEY: secret }),
    );
    await Promise.all(replicas.map((r) => r.waitFor('Kiosk:')));
    const printed = replicas.filter((r) => /with password/.test(r.stdout()));
    expect(printed).toHaveLength(1);

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const migrations = await client.query('SELECT version FROM schema_migrations');
    const tenants = await client.query('SELECT id FROM tenants');
    await client.end();
    expect(migrations.rowCount).toBeGreaterThan(0);
    expect(new Set(migrations.rows.map((r) => r.version)).size).toBe(migrations.rowCount);
    expect(tenants.rowCount).toBe(1);
    for (const port of ports) expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);

    // A replica started with another key cannot open the stored keys and says why.
    const wrongKey = await failure({ DATABASE_URL: url, PORT: String(await freePort()), DATA_DIR: tempDir() });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.lines).toEqual([
      'atrium: a stored secret cannot be decrypted: ATRIUM_SECRET_KEY (or DATA_DIR/secret.key) is not the key it was sealed with',
    ]);
  });
});
