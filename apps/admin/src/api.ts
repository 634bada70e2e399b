import type { LoginResponse, TokenPair, UserSummary } from '@atrium/protocol';
import { ApiError, errorFromResponse, NETWORK_ERROR } from '@atrium/web-kit';

/** What the browser keeps between page loads: the current token pair and who it belongs to. */
export interface Session {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds at which the access token stops working. */
  expiresAt: number;
  user: UserSummary;
  /** Signed in with a temporary password: only choosing a new one is possible until then. */
  passwordChangeRequired?: true;
}

export interface SessionStore {
  get(): Session | null;
  set(session: Session | null): void;
}

/** Runs `task` while holding a named lock; in the browser this is a Web Lock shared by all tabs. */
export type LockFn = <T>(name: string, task: () => Promise<T>) => Promise<T>;

export const SESSION_ENDED = 'session_ended';

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  query?: Record<string, string | number | boolean | null | undefined>;
  signal?: AbortSignal;
  /** Public endpoints (sign-in): no bearer token and no refresh on 401. */
  anonymous?: boolean;
  headers?: Record<string, string>;
}

export interface ApiClientOptions {
  fetch: typeof fetch;
  store: SessionStore;
  baseUrl?: string;
  lock?: LockFn;
  now?: () => number;
  /** Called once when the session cannot be renewed (refresh refused): the UI goes back to sign-in. */
  onSessionEnded?: () => void;
}

export type ApiClient = ReturnType<typeof createApiClient>;

const noLock: LockFn = (_name, task) => task();

export function toSession(pair: TokenPair, now: number): Session {
  return {
    accessToken: pair.accessToken,
    refreshToken: pair.refreshToken,
    expiresAt: now + pair.expiresIn * 1000,
    user: pair.user,
    ...(pair.passwordChangeRequired ? { passwordChangeRequired: true as const } : {}),
  };
}

export function buildQuery(query: RequestOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/**
 * The one HTTP client of the admin app: adds the bearer token, renews the session once on 401 (one refresh at a
 * time, shared by every request that failed with the same token, and across tabs through the lock), and turns error
 * answers into ApiError with the server's code and field.
 */
export function createApiClient(options: ApiClientOptions) {
  const base = options.baseUrl ?? '/api/v1';
  const lock = options.lock ?? noLock;
  const now = options.now ?? Date.now;
  const { store } = options;
  let refreshing: Promise<Session | null> | null = null;

  async function send(path: string, opts: RequestOptions, token: string | null): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    try {
      return await options.fetch(`${base}${path}${buildQuery(opts.query)}`, {
        method: opts.method ?? 'GET',
        headers,
        body: opts.body === undefined ? null : JSON.stringify(opts.body),
        signal: opts.signal ?? null,
        credentials: 'same-origin',
      });
    } catch (error) {
      if ((error as { name?: string }).name === 'AbortError') throw error;
      throw new ApiError(0, NETWORK_ERROR, 'The server cannot be reached.');
    }
  }

  function endSession() {
    store.set(null);
    options.onSessionEnded?.();
  }

  /**
   * Renews the session that `staleToken` belonged to. Concurrent callers share one request; if the stored session
   * has already moved on (another request or tab refreshed it), that session is used without asking the server,
   * because presenting a rotated refresh token again would revoke the whole family.
   */
  function renew(staleToken: string): Promise<Session | null> {
    if (refreshing) return refreshing;
    refreshing = lock('atrium-session-refresh', async () => {
      const current = store.get();
      if (!current) return null;
      if (current.accessToken !== staleToken) return current;
      const res = await send('/auth/refresh', { method: 'POST', body: { refreshToken: current.refreshToken } }, null);
      if (res.ok) {
        const next = toSession((await res.json()) as TokenPair, now());
        store.set(next);
        return next;
      }
      if (res.status === 401 || res.status === 400) {
        endSession();
        return null;
      }
      throw await errorFromResponse(res);
    }).finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  /** Sends with the current token; on 401 renews once and tries again. Returns the raw response when it is ok. */
  async function authorized(path: string, opts: RequestOptions): Promise<Response> {
    if (opts.anonymous) {
      const res = await send(path, opts, null);
      if (!res.ok) throw await errorFromResponse(res);
      return res;
    }
    const session = store.get();
    if (!session) throw new ApiError(401, SESSION_ENDED, 'Sign in to continue.');
    let res = await send(path, opts, session.accessToken);
    if (res.status === 401) {
      const next = await renew(session.accessToken);
      if (!next) throw new ApiError(401, SESSION_ENDED, 'Your session has ended. Sign in again.');
      res = await send(path, opts, next.accessToken);
    }
    if (!res.ok) throw await errorFromResponse(res);
    return res;
  }

  async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await authorized(path, opts);
    if (res.status === 204) return undefined as T;
    const type = res.headers.get('Content-Type') ?? '';
    return (type.includes('json') ? await res.json() : undefined) as T;
  }

  return {
    request,
    get: <T>(path: string, query?: RequestOptions['query'], signal?: AbortSignal) =>
      request<T>(path, { query, ...(signal ? { signal } : {}) }),
    post: <T>(path: string, body: unknown = {}) => request<T>(path, { method: 'POST', body }),
    patch: <T>(path: string, body: unknown) => request<T>(path, { method: 'PATCH', body }),
    del: <T>(path: string, body?: unknown) => request<T>(path, { method: 'DELETE', body }),
    /** Binary answers (QR images) that need the Authorization header, so an <img src> cannot fetch them. */
    async blob(path: string, query?: RequestOptions['query'], signal?: AbortSignal): Promise<Blob> {
      const res = await authorized(path, { query, headers: { Accept: '*/*' }, ...(signal ? { signal } : {}) });
      return res.blob();
    },
    /** A long-lived response (server-sent events) whose body the caller reads. */
    stream(path: string, signal: AbortSignal): Promise<Response> {
      return authorized(path, { signal, headers: { Accept: 'text/event-stream' } });
    },
    /** Renews the session ahead of expiry (same single-flight path as a 401). */
    refreshNow(): Promise<Session | null> {
      const session = store.get();
      return session ? renew(session.accessToken) : Promise.resolve(null);
    },

    async login(email: string, password: string): Promise<{ mfaToken: string } | Session> {
      const answer = await request<LoginResponse>('/auth/login', {
        method: 'POST',
        body: { email, password },
        anonymous: true,
      });
      if ('mfaRequired' in answer) return { mfaToken: answer.mfaToken };
      const session = toSession(answer, now());
      store.set(session);
      return session;
    },
    async completeMfa(mfaToken: string, proof: { code: string } | { recoveryCode: string }): Promise<Session> {
      const pair = await request<TokenPair>('/auth/mfa', {
        method: 'POST',
        body: { mfaToken, ...proof },
        anonymous: true,
      });
      const session = toSession(pair, now());
      store.set(session);
      return session;
    },
    /** Trades the one-time code the single sign-on callback left in the URL for the usual session. */
    async completeSso(code: string): Promise<Session> {
      const pair = await request<TokenPair>('/auth/oidc/exchange', { method: 'POST', body: { code }, anonymous: true });
      const session = toSession(pair, now());
      store.set(session);
      return session;
    },
    async logout(): Promise<void> {
      const session = store.get();
      store.set(null);
      if (!session) return;
      // Best effort: the local session is gone either way.
      await send('/auth/logout', { method: 'POST', body: { refreshToken: session.refreshToken } }, null).catch(
        () => undefined,
      );
    },
  };
}
