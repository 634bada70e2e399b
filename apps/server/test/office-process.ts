import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CreatedVisit, TokenPair } from '@atrium/protocol';
import { expect } from 'vitest';
import { freePort, type ServerProcess, spawnServer } from './process';

/**
 * An office on a real server process, driven over HTTP as its staff and kiosk would: for the operator commands
 * (backup, restore, the move to PostgreSQL) that act on a server's data between runs.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const OFFICE_PASSWORD = 'office process passphrase';

export interface RunningOffice {
  server: ServerProcess;
  url: string;
}

export function createOfficeProcesses() {
  const running: ServerProcess[] = [];
  return {
    async start(env: Record<string, string>): Promise<RunningOffice> {
      const port = await freePort();
      const server = spawnServer({ ...env, PORT: String(port), ATRIUM_ADMIN_PASSWORD: OFFICE_PASSWORD });
      running.push(server);
      await server.waitFor('Atrium is running');
      return { server, url: `http://127.0.0.1:${port}/api/v1` };
    },
    /** Stops every server this test started (for afterEach). */
    async stopAll(): Promise<void> {
      for (const server of running.splice(0)) await stopServer(server);
    },
  };
}

export async function stopServer(server: ServerProcess): Promise<void> {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGTERM');
  await server.exited;
}

/** Runs one of the server's operator scripts (apps/server/src/…) as its npm script would, with only `env`. */
export function runScript(script: string, args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; out: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'apps/server/src', script), ...args],
      { cwd: root, env: { PATH: process.env.PATH, ...env }, timeout: 120_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

export const call = (url: string, method: string, pathname: string, body?: unknown, token?: string) =>
  fetch(`${url}${pathname}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

export async function signInOffice(url: string): Promise<string> {
  const res = await call(url, 'POST', '/auth/login', { email: 'admin@localhost', password: OFFICE_PASSWORD });
  expect(res.status).toBe(200);
  return ((await res.json()) as TokenPair).accessToken;
}

/** A visit at the first site and a kiosk paired there through the real device flow (polling at its interval). */
export async function seedVisitAndKiosk(url: string, admin: string, visitorName: string) {
  const [site] = (await (await call(url, 'GET', '/sites', undefined, admin)).json()) as Array<{ id: string }>;
  const visit = (await (
    await call(
      url,
      'POST',
      '/visits',
      {
        siteId: site!.id,
        visitor: { name: visitorName },
        expectedArrival: new Date().toISOString(),
        expectedDeparture: new Date(Date.now() + 4 * 3600_000).toISOString(),
      },
      admin,
    )
  ).json()) as CreatedVisit;
  const pairing = (await (await call(url, 'POST', '/kiosk/pairing', {})).json()) as {
    code: string;
    deviceCode: string;
    interval: number;
  };
  expect(
    (await call(url, 'POST', '/kiosks/pair', { code: pairing.code, siteId: site!.id, name: 'Lobby' }, admin)).status,
  ).toBe(201);
  let deviceToken: string | undefined;
  for (let i = 0; i < 20 && !deviceToken; i++) {
    const res = await call(url, 'POST', '/kiosk/pairing/token', { deviceCode: pairing.deviceCode });
    if (res.status === 200) deviceToken = ((await res.json()) as { deviceToken: string }).deviceToken;
    else await new Promise((resolve) => setTimeout(resolve, pairing.interval * 1000));
  }
  expect(deviceToken).toBeDefined();
  return { visit, deviceToken: deviceToken! };
}

/** The kiosk scanning a visitor's code: 201 on a first check-in. */
export const checkInWithKiosk = (url: string, deviceToken: string, qrToken: string) =>
  call(
    url,
    'POST',
    '/kiosk/check-ins',
    { token: qrToken, idempotencyKey: crypto.randomUUID(), occurredAt: new Date().toISOString() },
    deviceToken,
  );
