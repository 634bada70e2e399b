import { useQueryClient } from '@tanstack/react-query';
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useSyncExternalStore,
} from 'react';
import type { Session } from '../../api';
import { useApi } from '../../api-provider';
import type { ObservableSessionStore } from '../../session';

/** Renew this long before the access token expires, so requests rarely meet a 401. */
const RENEW_AHEAD_MS = 60_000;

interface AuthValue {
  session: Session | null;
  signIn(email: string, password: string): Promise<{ mfaToken: string } | null>;
  completeMfa(mfaToken: string, proof: { code: string } | { recoveryCode: string }): Promise<void>;
  completeSso(code: string): Promise<void>;
  signOut(): Promise<void>;
}

const AuthContext = createContext<AuthValue | null>(null);

export function AuthProvider({ store, children }: { store: ObservableSessionStore; children: ReactNode }) {
  const api = useApi();
  const queryClient = useQueryClient();
  const session = useSyncExternalStore(store.subscribe, store.get);
  const userId = session?.user.id ?? null;

  // Cached data belongs to one user: drop it whenever the user changes (sign-out, another account in another tab).
  useEffect(() => {
    void userId;
    return () => queryClient.clear();
  }, [userId, queryClient]);

  // Silent renewal ahead of expiry; a 401 would renew too, this just keeps the live stream and clicks smooth.
  const expiresAt = session?.expiresAt ?? null;
  useEffect(() => {
    if (expiresAt === null) return;
    const timer = setTimeout(
      () => {
        api.refreshNow().catch(() => undefined);
      },
      Math.max(5_000, expiresAt - Date.now() - RENEW_AHEAD_MS),
    );
    return () => clearTimeout(timer);
  }, [api, expiresAt]);

  const signIn = useCallback(
    async (email: string, password: string) => {
      const result = await api.login(email, password);
      return 'mfaToken' in result ? { mfaToken: result.mfaToken } : null;
    },
    [api],
  );
  const completeMfa = useCallback(
    async (mfaToken: string, proof: { code: string } | { recoveryCode: string }) => {
      await api.completeMfa(mfaToken, proof);
    },
    [api],
  );
  const completeSso = useCallback(
    async (code: string) => {
      await api.completeSso(code);
    },
    [api],
  );
  const signOut = useCallback(() => api.logout(), [api]);

  const value = useMemo(
    () => ({ session, signIn, completeMfa, completeSso, signOut }),
    [session, signIn, completeMfa, completeSso, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}

/** The signed-in user; only for components rendered behind the sign-in gate. */
export function useUser(): Session['user'] {
  const { session } = useAuth();
  if (!session) throw new Error('useUser without a session');
  return session.user;
}
