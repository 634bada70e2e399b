import { ApiError, NETWORK_ERROR } from '@atrium/web-kit';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createApiClient } from './api';
import { ApiProvider } from './api-provider';
import { SESSION_ENDED_FLAG } from './features/auth/SignInPage';
import { AuthProvider } from './features/auth/session';
import { I18nProvider } from './i18n';
import { browserLock, browserSessionStore } from './session';
import './styles.css';

const store = browserSessionStore();
const api = createApiClient({
  fetch: (input, init) => window.fetch(input, init),
  store,
  lock: browserLock,
  onSessionEnded: () => sessionStorage.setItem(SESSION_ENDED_FLAG, 'expired'),
});

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // Client mistakes and missing rights do not get better by asking again; a flaky network might.
      retry: (failures, error) =>
        failures < 2 && (!(error instanceof ApiError) || error.code === NETWORK_ERROR || error.status >= 500),
    },
    mutations: { retry: false },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <ApiProvider client={api}>
        <I18nProvider>
          <AuthProvider store={store}>
            <App />
          </AuthProvider>
        </I18nProvider>
      </ApiProvider>
    </QueryClientProvider>
  </StrictMode>,
);
