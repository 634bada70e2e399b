import { randomUUID } from 'node:crypto';
import type { TokenPair } from '@atrium/protocol';
import type { TestServer } from './http';
import { jsonOf } from './json';

export const ADMIN_PASSWORD = 'correct horse battery staple';

/** Calls the API as a real client would. */
export function api(s: TestServer, token?: string) {
  const request = async (method: string, path: string, body?: unknown) =>
    fetch(`${s.url}/api/v1${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  return {
    get: (path: string) => request('GET', path),
    post: (path: string, body: unknown = {}) => request('POST', path, body),
    patch: (path: string, body: unknown) => request('PATCH', path, body),
    delete: (path: string, body?: unknown) => request('DELETE', path, body),
  };
}

export async function signInAdmin(s: TestServer, email: string): Promise<TokenPair> {
  return jsonOf<TokenPair>(await api(s).post('/auth/login', { email, password: ADMIN_PASSWORD }));
}

/** Pairs a kiosk through the real device flow and returns its device token. */
export async function pairKiosk(
  s: TestServer,
  adminToken: string,
  siteId: string,
  advance: (ms: number) => void,
  name = `Lobby ${randomUUID().slice(0, 4)}`,
): Promise<{ token: string; kioskId: string }> {
  const started = await jsonOf<{ code: string; deviceCode: string; interval: number }>(
    await api(s).post('/kiosk/pairing'),
  );
  const paired = await api(s, adminToken).post('/kiosks/pair', { code: started.code, siteId, name });
  if (paired.status !== 201) throw new Error(`pairing failed: ${paired.status} ${await paired.text()}`);
  advance(started.interval * 1000);
  const delivered = await jsonOf<{ deviceToken: string; kiosk: { id: string } }>(
    await api(s).post('/kiosk/pairing/token', { deviceCode: started.deviceCode }),
  );
  return { token: delivered.deviceToken, kioskId: delivered.kiosk.id };
}

export const scan = (token: string, occurredAt = new Date()) => ({
  token,
  idempotencyKey: randomUUID(),
  occurredAt: occurredAt.toISOString(),
});
