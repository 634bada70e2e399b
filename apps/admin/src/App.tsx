import type { ReactNode } from 'react';
import { Link, Redirect, Route, Switch, useLocation } from 'wouter';
import { AgentsPage } from './features/agents/AgentsPage';
import { AuditPage } from './features/audit/AuditPage';
import { AccountPage } from './features/auth/AccountPage';
import { ChoosePasswordPage } from './features/auth/ChoosePasswordPage';
import { SignInPage } from './features/auth/SignInPage';
import { useAuth, useUser } from './features/auth/session';
import { KiosksPage } from './features/kiosks/KiosksPage';
import { MessagesPage } from './features/messages/MessagesPage';
import { OnSitePage } from './features/onsite/OnSitePage';
import { SettingsPage } from './features/settings/SettingsPage';
import { UsersPage } from './features/users/UsersPage';
import { VisitDetailPage } from './features/visits/VisitDetailPage';
import { VisitFormPage } from './features/visits/VisitFormPage';
import { VisitsPage } from './features/visits/VisitsPage';
import { type MessageKey, useI18n } from './i18n';
import { LanguageSwitch } from './LanguageSwitch';
import { AlertBanner, LiveProvider, useLive } from './live/LiveProvider';
import { hasAnyRole, type PageId, pagesFor, STAFF_ROLES } from './roles';
import { Page } from './ui/Page';

const NAV: Record<PageId, { path: string; label: MessageKey }> = {
  visits: { path: '/visits', label: 'nav.visits' },
  onsite: { path: '/on-site', label: 'nav.onsite' },
  kiosks: { path: '/kiosks', label: 'nav.kiosks' },
  messages: { path: '/messages', label: 'nav.messages' },
  agents: { path: '/agents', label: 'nav.agents' },
  users: { path: '/users', label: 'nav.users' },
  audit: { path: '/audit', label: 'nav.audit' },
  settings: { path: '/settings', label: 'nav.settings' },
  account: { path: '/account', label: 'nav.account' },
};

export function App() {
  const { session } = useAuth();
  if (!session) return <SignInPage />;
  if (session.passwordChangeRequired) return <ChoosePasswordPage />;
  return (
    <LiveProvider enabled={hasAnyRole(session.user.roles, STAFF_ROLES)}>
      <Shell />
    </LiveProvider>
  );
}

function Shell() {
  const { t } = useI18n();
  const user = useUser();
  const pages = pagesFor(user.roles);
  const allowed = (page: PageId, element: ReactNode) => (pages.includes(page) ? element : <NoAccess />);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <TopBar />
      <Nav pages={pages} />
      <main id="main" className="main" tabIndex={-1}>
        <AlertBanner />
        <Switch>
          <Route path="/">
            <Redirect to="/visits" replace />
          </Route>
          <Route path="/visits">{() => <VisitsPage />}</Route>
          <Route path="/visits/new">{() => <VisitFormPage />}</Route>
          <Route path="/visits/:id">{(params) => <VisitDetailPage key={params.id} id={params.id} />}</Route>
          <Route path="/on-site">{() => allowed('onsite', <OnSitePage />)}</Route>
          <Route path="/kiosks">{() => allowed('kiosks', <KiosksPage />)}</Route>
          <Route path="/messages">{() => allowed('messages', <MessagesPage />)}</Route>
          <Route path="/agents">{() => allowed('agents', <AgentsPage />)}</Route>
          <Route path="/users">{() => allowed('users', <UsersPage />)}</Route>
          <Route path="/audit">{() => allowed('audit', <AuditPage />)}</Route>
          <Route path="/settings">{() => allowed('settings', <SettingsPage />)}</Route>
          <Route path="/account">{() => <AccountPage />}</Route>
          <Route>{() => <NotFound />}</Route>
        </Switch>
      </main>
    </div>
  );
}

function TopBar() {
  const { t } = useI18n();
  const user = useUser();
  const { signOut } = useAuth();
  const { status } = useLive();
  const [, navigate] = useLocation();
  // The next person to sign in at this desk starts on the visits page, not on the last one's page.
  const onSignOut = () => {
    void signOut();
    navigate('/', { replace: true });
  };
  return (
    <header className="topbar no-print">
      <Link href="/visits" className="brand">
        <span className="brand-mark" aria-hidden="true">
          A
        </span>
        <span>{t('app.name')}</span>
      </Link>
      <div className="topbar-right">
        {status !== 'off' && (
          <span className={`live live-${status}`} role="status" data-testid="live-status">
            <span className="live-dot" aria-hidden="true" />
            <span className="live-text">
              {status === 'live'
                ? t('live.connected')
                : status === 'connecting'
                  ? t('live.connecting')
                  : t('live.offline')}
            </span>
          </span>
        )}
        <LanguageSwitch />
        <span className="user-name" title={user.email}>
          {user.name}
        </span>
        <button type="button" className="btn btn-secondary btn-small" onClick={onSignOut} data-testid="sign-out">
          {t('nav.signOut')}
        </button>
      </div>
    </header>
  );
}

function Nav({ pages }: { pages: PageId[] }) {
  const { t } = useI18n();
  const [location] = useLocation();
  return (
    <nav className="sidenav no-print" aria-label={t('nav.main')}>
      <ul>
        {pages.map((page) => {
          const { path, label } = NAV[page];
          const current = location === path || location.startsWith(`${path}/`);
          return (
            <li key={page}>
              <Link
                href={path}
                className={current ? 'nav-link active' : 'nav-link'}
                aria-current={current ? 'page' : undefined}
                data-testid={`nav-${page}`}
              >
                {t(label)}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

function NotFound() {
  const { t } = useI18n();
  return (
    <Page title={t('notFound.title')}>
      <p>{t('notFound.body')}</p>
      <Link href="/visits" className="btn btn-secondary">
        {t('notFound.home')}
      </Link>
    </Page>
  );
}

function NoAccess() {
  const { t } = useI18n();
  return (
    <Page title={t('noAccess.title')}>
      <p>{t('noAccess.body')}</p>
      <Link href="/visits" className="btn btn-secondary">
        {t('notFound.home')}
      </Link>
    </Page>
  );
}
