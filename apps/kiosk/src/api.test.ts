import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, NETWORK_ERROR } from '@atrium/web-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKioskApi } from './api';
import { apiSender } from './outbox/send';
import type { OutboxEntry } from './outbox/types';

type Handler = (req: http.IncomingMessage, body: string) => { status: number; body?: unknown; headers?: object };

/** A real HTTP server on 127.0.0.1 that answers from the current handler and records each request. */
let server: http.Server;
let baseUrl: string;
let handler: Handler = () => ({ status: 404 });
const seen: Array<{ method?: string; url?: string; authorization?: string; body: string }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization, body });
      const answer = handler(req, body);
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.close();
});

const CONFIG = {
  site: {
    id: '6f1c2a4e-8b3d-4f5a-9c7e-1d2b3a4c5e6f',
    name: 'HQ',
    timezone: 'Europe/Berlin',
    wifiSsid: 'Guest',
    walkInsAllowed: false,
  },
  issuer: 'atrium',
  jwks: { keys: [{ kty: 'OKP', crv: 'Ed25519', x: 'abc', kid: 'k1' }] },
  serverTime: '2025-03-10T12:00:00.000Z',
  revokedJtis: [],
  keyMaxAgeSeconds: 604800,
};

const errorBody = (code: string, message = `${code} happened`) => ({ error: { code, message } });

describe('kiosk API client', () => {
  it('sends the device token and reads the config', async () => {
    handler = () => ({ status: 200, body: CONFIG });
    const reachable: boolean[] = [];
    const api = createKioskApi({ baseUrl, getToken: () => 'device-token', onReachable: (r) => reachable.push(r) });
    expect(await api.getConfig()).toEqual(CONFIG);
    expect(seen.at(-1)).toMatchObject({
      method: 'GET',
      url: '/api/v1/kiosk/config',
      authorization: 'Bearer device-token',
    });
    expect(reachable).toEqual([true]);
  });

  it('starts and polls a pairing without a token and surfaces slow_down and expired with their codes', async () => {
    const api = createKioskApi({ baseUrl, getToken: () => null });
    handler = () => ({ status: 201, body: { code: '042917', deviceCode: 'dc', expiresIn: 600, interval: 5 } });
    expect(await api.startPairing()).toEqual({ code: '042917', deviceCode: 'dc', expiresIn: 600, interval: 5 });
    expect(seen.at(-1)).toMatchObject({ url: '/api/v1/kiosk/pairing', body: '{}', authorization: undefined });

    handler = () => ({ status: 202, body: { status: 'pending' } });
    expect(await api.pollPairing('dc')).toEqual({ status: 'pending' });
    expect(seen.at(-1)).toMatchObject({ url: '/api/v1/kiosk/pairing/token', body: '{"deviceCode":"dc"}' });

    handler = () => ({ status: 429, body: errorBody('slow_down'), headers: { 'Retry-After': '5' } });
    await expect(api.pollPairing('dc')).rejects.toMatchObject({ status: 429, code: 'slow_down', retryAfterSeconds: 5 });
    handler = () => ({ status: 410, body: errorBody('expired') });
    await expect(api.pollPairing('dc')).rejects.toMatchObject({ status: 410, code: 'expired' });
  });

  it('reports a revoked kiosk once, with the token that was refused', async () => {
    const unpaired: string[] = [];
    const api = createKioskApi({ baseUrl, getToken: () => 'old-token', onUnpaired: (t) => unpaired.push(t) });
    handler = () => ({ status: 401, body: errorBody('kiosk_revoked') });
    await expect(api.getConfig()).rejects.toMatchObject({ status: 401, code: 'kiosk_revoked' });
    handler = () => ({ status: 401, body: errorBody('token_expired') });
    await expect(api.getConfig()).rejects.toBeInstanceOf(ApiError);
    expect(unpaired).toEqual(['old-token']);
  });

  it('turns a refused connection into a network error, and a bare gateway error into http_<status> (unreachable)', async () => {
    const reachable: boolean[] = [];
    const dead = createKioskApi({
      baseUrl: 'http://127.0.0.1:1',
      getToken: () => 't',
      onReachable: (r) => reachable.push(r),
    });
    await expect(dead.getConfig()).rejects.toMatchObject({ status: 0, code: NETWORK_ERROR, isNetworkError: true });
    expect(reachable).toEqual([false]);

    handler = () => ({ status: 502 });
    const api = createKioskApi({ baseUrl, getToken: () => 't', onReachable: (r) => reachable.push(r) });
    await expect(api.getConfig()).rejects.toMatchObject({ status: 502, code: 'http_502' });
    expect(reachable).toEqual([false, false]);
  });

  it('refuses a config that does not match the protocol', async () => {
    handler = () => ({ status: 200, body: { ...CONFIG, jwks: 'nope' } });
    const api = createKioskApi({ baseUrl, getToken: () => 't' });
    await expect(api.getConfig()).rejects.toMatchObject({ code: 'invalid_response' });
  });
});

describe('outbox sender over HTTP', () => {
  const entry: OutboxEntry = {
    id: 1,
    kind: 'check_in',
    body: {
      token: 'qr',
      idempotencyKey: '0b5b7a57-4a8e-4d0b-8f43-2f8c3d6a1e11',
      occurredAt: '2025-03-10T12:00:00.000Z',
    },
    jti: null,
    displayName: 'Ada L.',
    createdAt: 0,
    attempts: 0,
    nextAttemptAt: 0,
    lastError: null,
  };
  const send = (e: OutboxEntry) => apiSender(createKioskApi({ baseUrl, getToken: () => 'device-token' }))(e);

  it('posts the entry body as is and reports 201 and 200 as accepted with the answer', async () => {
    const answer = {
      visitId: 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f',
      displayName: 'Ada L.',
      voucher: { username: 'u', password: 'p', ssid: 'Guest', validUntil: '2025-03-10T18:00:00.000Z' },
    };
    handler = () => ({ status: 201, body: answer });
    expect(await send(entry)).toEqual({ type: 'accepted', status: 201, body: answer });
    expect(seen.at(-1)).toMatchObject({
      method: 'POST',
      url: '/api/v1/kiosk/check-ins',
      authorization: 'Bearer device-token',
    });
    expect(JSON.parse(seen.at(-1)!.body)).toEqual(entry.body);

    handler = () => ({ status: 200, body: { ...answer, offline: true } });
    expect(await send({ ...entry, kind: 'check_out' })).toMatchObject({ type: 'accepted', status: 200 });
    expect(seen.at(-1)?.url).toBe('/api/v1/kiosk/check-outs');
  });

  it('sorts failures: 409/422/403 are final, 5xx, 429 and 401 are retried', async () => {
    const cases: Array<[number, string, string]> = [
      [409, 'already_used', 'rejected'],
      [422, 'visit_cancelled', 'rejected'],
      [403, 'walk_ins_disabled', 'rejected'],
      [400, 'invalid_input', 'rejected'],
      [500, 'internal', 'retry'],
      [503, 'unavailable', 'retry'],
      [429, 'rate_limited', 'retry'],
      [401, 'kiosk_revoked', 'retry'],
    ];
    for (const [status, code, type] of cases) {
      handler = () => ({ status, body: errorBody(code) });
      expect({ status, result: await send(entry) }).toMatchObject({ status, result: { type } });
    }
    handler = () => ({ status: 422, body: errorBody('token_expired', 'This visitor code has expired.') });
    expect(await send(entry)).toEqual({
      type: 'rejected',
      status: 422,
      code: 'token_expired',
      message: 'This visitor code has expired.',
    });
  });
});
