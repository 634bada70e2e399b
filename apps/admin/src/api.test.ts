import type { TokenPair } from '@atrium/protocol';
import { ApiError, NETWORK_ERROR } from '@atrium/web-kit';
import { describe, expect, it, vi } from 'vitest';
import { createApiClient, type LockFn, SESSION_ENDED, type Session } from './api';

const user = { id: '00000000-0000-4000-8000-000000000001', email: 'a@example.com', name: 'Ada', roles: [] };
const session = (n: number): Session => ({
  accessToken: `access-${n}`,
  refreshToken: `refresh-${n}`,
  expiresAt: 1_000_000,
  user,
});
const pair = (n: number): TokenPair => ({
  accessToken: `access-${n}`,
  refreshToken: `refresh-${n}`,
  expiresIn: 900,
  user,
});

function memoryStore(initial: Session | null) {
  let value = initial;
  return {
    get: () => value,
    set: (next: Session | null) => {
      value = next;
    },
  };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

/** A fake server: `/auth/refresh` answers `refresh`; other paths accept only `validToken`. */
function fakeServer(options: { validToken: () => string; refresh: (body: { refreshToken: string }) => Response }) {
  const calls: Array<{ url: string; auth: string | null; body: unknown }> = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const headers = new Headers(init?.headers);
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ url, auth: headers.get('Authorization'), body });
    // Let concurrent requests pile up before anyone answers, as on a real network.
    await new Promise((resolve) => setTimeout(resolve, 5));
    if (url.endsWith('/auth/refresh')) return options.refresh(body);
    if (headers.get('Authorization') !== `Bearer ${options.validToken()}`) {
      return json(401, { error: { code: 'invalid_token', message: 'The access token has expired.' } });
    }
    return json(200, { ok: true, url });
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls };
}

describe('api client: refresh on 401', () => {
  it('renews once for many requests that failed together, then retries each with the new token', async () => {
    const store = memoryStore(session(1));
    let valid = 'access-1';
    const server = fakeServer({
      validToken: () => valid,
      refresh: (body) => {
        expect(body.refreshToken).toBe('refresh-2');
        return json(200, pair(3));
      },
    });
    const client = createApiClient({ fetch: server.fetch, store, now: () => 0 });
    // The access token expires on the server while the store still holds it.
    store.set(session(2));
    valid = 'access-3';

    const results = await Promise.all([client.get('/visits'), client.get('/kiosks'), client.get('/sites')]);

    expect(results).toHaveLength(3);
    expect(server.calls.filter((c) => c.url.endsWith('/auth/refresh'))).toHaveLength(1);
    const retried = server.calls.filter((c) => !c.url.endsWith('/auth/refresh') && c.auth === 'Bearer access-3');
    expect(retried.map((c) => c.url).sort()).toEqual(['/api/v1/kiosks', '/api/v1/sites', '/api/v1/visits']);
    expect(store.get()).toEqual({ ...session(3), expiresAt: 900_000 });
  });

  it('holds the lock while renewing and uses a session another tab already renewed', async () => {
    const store = memoryStore(session(1));
    const locks: string[] = [];
    const lock: LockFn = async (name, task) => {
      locks.push(name);
      // Another tab renewed while we waited for the lock.
      store.set(session(5));
      return task();
    };
    const server = fakeServer({ validToken: () => 'access-5', refresh: () => json(500, {}) });
    const client = createApiClient({ fetch: server.fetch, store, lock });

    await expect(client.get('/visits')).resolves.toMatchObject({ ok: true });
    expect(locks).toEqual(['atrium-session-refresh']);
    // No refresh request: presenting refresh-1 again would have revoked the whole family.
    expect(server.calls.some((c) => c.url.endsWith('/auth/refresh'))).toBe(false);
    expect(server.calls.at(-1)?.auth).toBe('Bearer access-5');
  });

  it('ends the session once when the refresh token is refused, and every waiting request fails', async () => {
    const store = memoryStore(session(1));
    const ended = vi.fn();
    const server = fakeServer({
      validToken: () => 'nothing-is-valid',
      refresh: () => json(401, { error: { code: 'invalid_token', message: 'The session has ended.' } }),
    });
    const client = createApiClient({ fetch: server.fetch, store, onSessionEnded: ended });

    const outcomes = await Promise.allSettled([client.get('/a'), client.get('/b')]);

    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      expect((outcome as PromiseRejectedResult).reason).toMatchObject({ status: 401, code: SESSION_ENDED });
    }
    expect(ended).toHaveBeenCalledTimes(1);
    expect(store.get()).toBeNull();
    expect(server.calls.filter((c) => c.url.endsWith('/auth/refresh'))).toHaveLength(1);
  });

  it('does not loop: a request still refused after renewal fails with the server error', async () => {
    const store = memoryStore(session(1));
    const server = fakeServer({ validToken: () => 'never', refresh: () => json(200, pair(2)) });
    const client = createApiClient({ fetch: server.fetch, store });

    await expect(client.get('/visits')).rejects.toMatchObject({ status: 401, code: 'invalid_token' });
    expect(server.calls.map((c) => c.url)).toEqual(['/api/v1/visits', '/api/v1/auth/refresh', '/api/v1/visits']);
  });

  it('keeps the session when the refresh fails for a network reason', async () => {
    const store = memoryStore(session(1));
    const server = fakeServer({
      validToken: () => 'x',
      refresh: () => json(503, { error: { code: 'unavailable', message: 'Down.' } }),
    });
    const client = createApiClient({ fetch: server.fetch, store });

    await expect(client.get('/visits')).rejects.toMatchObject({ status: 503, code: 'unavailable' });
    expect(store.get()).toEqual(session(1));
  });

  it('starts a new renewal after the previous one finished', async () => {
    const store = memoryStore(session(1));
    let n = 1;
    const server = fakeServer({
      validToken: () => `access-${n}`,
      refresh: () => {
        n += 1;
        return json(200, pair(n));
      },
    });
    const client = createApiClient({ fetch: server.fetch, store });
    await client.refreshNow();
    await client.refreshNow();
    expect(store.get()?.accessToken).toBe('access-3');
    expect(server.calls.filter((c) => c.url.endsWith('/auth/refresh')).map((c) => c.body)).toEqual([
      { refreshToken: 'refresh-1' },
      { refreshToken: 'refresh-2' },
    ]);
  });
});

describe('api client: sign-in and errors', () => {
  it('signs in without a bearer token and never refreshes on a wrong password', async () => {
    const store = memoryStore(null);
    const calls: Array<{ url: string; auth: string | null }> = [];
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      calls.push({ url: String(input), auth: new Headers(init?.headers).get('Authorization') });
      return json(401, { error: { code: 'invalid_credentials', message: 'The email or password is not right.' } });
    }) as typeof globalThis.fetch;
    const client = createApiClient({ fetch, store });

    await expect(client.login('a@example.com', 'wrong')).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect(calls).toEqual([{ url: '/api/v1/auth/login', auth: null }]);
  });

  it('stores the pair after sign-in, or hands back the MFA token', async () => {
    const store = memoryStore(null);
    let answer: unknown = { mfaRequired: true, mfaToken: 'mfa-1' };
    const fetch = (async () => json(200, answer)) as unknown as typeof globalThis.fetch;
    const client = createApiClient({ fetch, store, now: () => 10 });

    await expect(client.login('a@example.com', 'pw')).resolves.toEqual({ mfaToken: 'mfa-1' });
    expect(store.get()).toBeNull();
    answer = pair(1);
    await client.completeMfa('mfa-1', { code: '123456' });
    expect(store.get()).toEqual({ ...session(1), expiresAt: 10 + 900_000 });
  });

  it('turns a 400 into an ApiError naming the field, with every issue', async () => {
    const fetch = (async () =>
      json(400, {
        error: {
          code: 'invalid_input',
          message: 'visitor.name: is required',
          details: {
            field: 'visitor.name',
            issues: [
              { field: 'visitor.name', message: 'is required' },
              { field: 'expectedDeparture', message: 'must be after expectedArrival' },
            ],
          },
        },
      })) as unknown as typeof globalThis.fetch;
    const client = createApiClient({ fetch, store: memoryStore(session(1)) });

    const error = await client.post('/visits', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_input', field: 'visitor.name' });
    expect((error as ApiError).fieldErrors()).toEqual({
      'visitor.name': 'is required',
      expectedDeparture: 'must be after expectedArrival',
    });
  });

  it('reads Retry-After from a 429', async () => {
    const fetch = (async () =>
      json(
        429,
        { error: { code: 'rate_limited', message: 'Too many attempts.' } },
        { 'Retry-After': '42' },
      )) as unknown as typeof globalThis.fetch;
    const client = createApiClient({ fetch, store: memoryStore(null) });
    await expect(client.login('a@example.com', 'pw')).rejects.toMatchObject({
      code: 'rate_limited',
      retryAfterSeconds: 42,
    });
  });

  it('reports an unreachable server as a network error, and an error page without JSON by its status', async () => {
    const down = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof globalThis.fetch;
    await expect(createApiClient({ fetch: down, store: memoryStore(session(1)) }).get('/x')).rejects.toMatchObject({
      code: NETWORK_ERROR,
    });
    const html = (async () =>
      new Response('<h1>Bad gateway</h1>', { status: 502 })) as unknown as typeof globalThis.fetch;
    await expect(createApiClient({ fetch: html, store: memoryStore(session(1)) }).get('/x')).rejects.toMatchObject({
      status: 502,
      code: 'http_502',
    });
  });

  it('sends query parameters without empty values', async () => {
    const urls: string[] = [];
    const fetch = (async (input: RequestInfo | URL) => {
      urls.push(String(input));
      return json(200, []);
    }) as typeof globalThis.fetch;
    await createApiClient({ fetch, store: memoryStore(session(1)) }).get('/visits', {
      siteId: 's1',
      status: undefined,
      q: '',
      limit: 100,
    });
    expect(urls).toEqual(['/api/v1/visits?siteId=s1&limit=100']);
  });

  it('signs out locally even when the server cannot be told', async () => {
    const store = memoryStore(session(1));
    const fetch = (async () => {
      throw new TypeError('offline');
    }) as typeof globalThis.fetch;
    await createApiClient({ fetch, store }).logout();
    expect(store.get()).toBeNull();
  });
});

describe('api client: single sign-on', () => {
  it('trades the callback code for a session without a bearer token, and reports a spent code by its code', async () => {
    const store = memoryStore(null);
    const sent: Array<{ url: string; auth: string | null; body: unknown }> = [];
    let used = false;
    const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      sent.push({
        url: String(input),
        auth: new Headers(init?.headers).get('Authorization'),
        body: JSON.parse(String(init?.body)),
      });
      if (used) return json(401, { error: { code: 'sso_handoff_invalid', message: 'expired or used' } });
      used = true;
      return json(200, pair(7));
    });
    const api = createApiClient({ fetch: fetch as unknown as typeof globalThis.fetch, store, now: () => 0 });
    await api.completeSso('tenant.code');
    expect(store.get()).toMatchObject({ accessToken: 'access-7', refreshToken: 'refresh-7', expiresAt: 900_000 });
    expect(sent).toEqual([{ url: '/api/v1/auth/oidc/exchange', auth: null, body: { code: 'tenant.code' } }]);
    await expect(api.completeSso('tenant.code')).rejects.toMatchObject({ code: 'sso_handoff_invalid' });
  });
});
