import type { LockFn, Session, SessionStore } from './api';

const KEY = 'atrium.admin.session';

export interface ObservableSessionStore extends SessionStore {
  subscribe(listener: () => void): () => void;
}

function parse(raw: string | null): Session | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Session;
    return typeof value.accessToken === 'string' && typeof value.refreshToken === 'string' ? value : null;
  } catch {
    return null;
  }
}

/**
 * The session in localStorage, so a reload and other tabs stay signed in. Tabs share one refresh token, which is
 * why renewals run under a Web Lock and re-read the store first (see api.ts).
 */
export function browserSessionStore(): ObservableSessionStore {
  const listeners = new Set<() => void>();
  let raw = localStorage.getItem(KEY);
  let cached = parse(raw);
  const notify = () => {
    for (const listener of listeners) listener();
  };
  window.addEventListener('storage', (event) => {
    if (event.key !== KEY && event.key !== null) return;
    raw = localStorage.getItem(KEY);
    cached = parse(raw);
    notify();
  });
  return {
    get() {
      // Another tab may have rotated the pair since we last looked.
      const now = localStorage.getItem(KEY);
      if (now !== raw) {
        raw = now;
        cached = parse(now);
      }
      return cached;
    },
    set(session) {
      cached = session;
      raw = session ? JSON.stringify(session) : null;
      if (raw) localStorage.setItem(KEY, raw);
      else localStorage.removeItem(KEY);
      notify();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export const browserLock: LockFn = (name, task) =>
  typeof navigator !== 'undefined' && navigator.locks
    ? (navigator.locks.request(name, task) as ReturnType<typeof task>)
    : task();
