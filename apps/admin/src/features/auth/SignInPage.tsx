import { ApiError } from '@atrium/web-kit';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useI18n } from '../../i18n';
import { LanguageSwitch } from '../../LanguageSwitch';
import { Field } from '../../ui/Field';
import { Notice } from '../../ui/Notice';
import { useSsoInfo } from './queries';
import { useAuth } from './session';

export const SESSION_ENDED_FLAG = 'atrium.admin.sessionEnded';
export const SSO_START_URL = '/api/v1/auth/oidc/start';

/** What the single sign-on callback left in the URL fragment (`sso_code` or `sso_error`), read once and removed. */
function takeSsoFragment(): { code?: string; error?: string } {
  const params = new URLSearchParams(window.location.hash.slice(1));
  const code = params.get('sso_code') ?? undefined;
  const error = params.get('sso_error') ?? undefined;
  if (code || error) window.history.replaceState(null, '', window.location.pathname + window.location.search);
  return { ...(code ? { code } : {}), ...(error ? { error } : {}) };
}

/** Sign-in with email and password, then (when the account has it) the TOTP or recovery-code step. */
export function SignInPage() {
  const { t } = useI18n();
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  const [sso] = useState(takeSsoFragment);
  // Why the last session ended, when it did: 'password' after a password change, else it expired or was revoked.
  const [ended] = useState(() => {
    const flag = sessionStorage.getItem(SESSION_ENDED_FLAG);
    sessionStorage.removeItem(SESSION_ENDED_FLAG);
    return flag;
  });
  useEffect(() => {
    document.title = `${t('signIn.title')}`;
  }, [t]);

  return (
    <div className="signin">
      <header className="signin-lang">
        <LanguageSwitch />
      </header>
      <main className="signin-card" id="main">
        <p className="brand brand-large" aria-hidden="true">
          <span className="brand-mark">A</span> {t('app.name')}
        </p>
        {sso.code ? (
          <SsoCompletion code={sso.code} />
        ) : mfaToken ? (
          <MfaStep mfaToken={mfaToken} onRestart={() => setMfaToken(null)} />
        ) : (
          <CredentialsStep ended={ended} onMfa={setMfaToken} ssoError={sso.error} />
        )}
      </main>
    </div>
  );
}

/** Back from the IdP: trades the one-time code for a session; the app then opens as for a password sign-in. */
function SsoCompletion({ code }: { code: string }) {
  const { t, errorMessage } = useI18n();
  const { completeSso } = useAuth();
  const [error, setError] = useState<unknown>(null);
  const started = useRef(false);
  useEffect(() => {
    // Once only: the code is single-use (React's development double effect would spend it twice).
    if (started.current) return;
    started.current = true;
    completeSso(code).catch(setError);
  }, [code, completeSso]);
  if (error === null) return <p aria-live="polite">{t('signIn.ssoWorking')}</p>;
  return (
    <div>
      <h1>{t('signIn.title')}</h1>
      <Notice tone="error">{errorMessage(error)}</Notice>
      <a className="btn btn-primary btn-block" href="/">
        {t('signIn.submit')}
      </a>
    </div>
  );
}

function SsoButton() {
  const { t } = useI18n();
  const info = useSsoInfo();
  if (!info.data?.enabled) return null;
  return (
    <>
      <a className="btn btn-primary btn-block" href={SSO_START_URL} data-testid="login-sso">
        {t('signIn.sso')}
      </a>
      <p className="signin-or muted">{t('signIn.or')}</p>
    </>
  );
}

function CredentialsStep({
  ended,
  onMfa,
  ssoError,
}: {
  ended: string | null;
  onMfa: (token: string) => void;
  ssoError: string | undefined;
}) {
  const { t, errorMessage } = useI18n();
  const { signIn } = useAuth();
  const [error, setError] = useState<unknown>(() =>
    ssoError ? new ApiError(400, ssoError, ssoError.replace(/_/g, ' ')) : null,
  );
  // Checked here rather than by the browser, whose bubbles speak the browser's language, not the one chosen here.
  const [missing, setMissing] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const emailRef = useRef<HTMLInputElement>(null);
  useEffect(() => emailRef.current?.focus(), []);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const problems: Record<string, string> = {};
    for (const name of ['email', 'password']) {
      if (!String(form.get(name) ?? '').trim()) problems[name] = t('errors.field.required');
    }
    setMissing(problems);
    const first = Object.keys(problems)[0];
    if (first) {
      (formElement.elements.namedItem(first) as HTMLElement | null)?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const result = await signIn(String(form.get('email')), String(form.get('password')));
      if (result) onMfa(result.mfaToken);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <h1>{t('signIn.title')}</h1>
      {ended && !error && (
        <Notice tone={ended === 'password' ? 'success' : 'warning'}>
          {ended === 'password' ? t('account.passwordDone') : t('signIn.ended')}
        </Notice>
      )}
      {error !== null && <Notice tone="error">{errorMessage(error)}</Notice>}
      <SsoButton />
      <Field label={t('signIn.email')} error={missing.email}>
        {(a11y) => (
          <input
            {...a11y}
            ref={emailRef}
            name="email"
            type="email"
            autoComplete="username"
            required
            data-testid="login-email"
          />
        )}
      </Field>
      <Field label={t('signIn.password')} error={missing.password}>
        {(a11y) => (
          <input
            {...a11y}
            name="password"
            type="password"
            autoComplete="current-password"
            required
            data-testid="login-password"
          />
        )}
      </Field>
      <button type="submit" className="btn btn-primary btn-block" disabled={busy} data-testid="login-submit">
        {busy ? t('signIn.submitting') : t('signIn.submit')}
      </button>
    </form>
  );
}

function MfaStep({ mfaToken, onRestart }: { mfaToken: string; onRestart: () => void }) {
  const { t, errorMessage } = useI18n();
  const { completeMfa } = useAuth();
  const [useRecovery, setUseRecovery] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [localError, setLocalError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: focus the new input whenever the method switches
  useEffect(() => inputRef.current?.focus(), [useRecovery]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const value = String(new FormData(event.currentTarget).get('code') ?? '').trim();
    if (!useRecovery && !/^\d{6}$/.test(value.replace(/\s/g, ''))) {
      setLocalError(t('errors.field.sixDigits'));
      return;
    }
    if (useRecovery && value === '') {
      setLocalError(t('errors.field.required'));
      return;
    }
    setLocalError(null);
    setBusy(true);
    setError(null);
    try {
      await completeMfa(mfaToken, useRecovery ? { recoveryCode: value } : { code: value.replace(/\s/g, '') });
    } catch (caught) {
      if (caught instanceof ApiError && caught.code === 'invalid_token') {
        onRestart();
        return;
      }
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate>
      <h1>{t('mfa.title')}</h1>
      <p>{useRecovery ? t('mfa.recoveryIntro') : t('mfa.intro')}</p>
      {error !== null && <Notice tone="error">{errorMessage(error)}</Notice>}
      <Field label={useRecovery ? t('mfa.recoveryCode') : t('mfa.code')} error={localError ?? undefined}>
        {(a11y) =>
          useRecovery ? (
            <input
              {...a11y}
              key="recovery"
              ref={inputRef}
              name="code"
              autoComplete="off"
              spellCheck={false}
              data-testid="mfa-recovery"
            />
          ) : (
            <input
              {...a11y}
              key="totp"
              ref={inputRef}
              name="code"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={7}
              className="input-code"
              data-testid="mfa-code"
            />
          )
        }
      </Field>
      <button type="submit" className="btn btn-primary btn-block" disabled={busy} data-testid="mfa-submit">
        {busy ? t('signIn.submitting') : t('mfa.submit')}
      </button>
      <div className="signin-links">
        <button type="button" className="btn-link" onClick={() => setUseRecovery(!useRecovery)}>
          {useRecovery ? t('mfa.useCode') : t('mfa.useRecovery')}
        </button>
        <button type="button" className="btn-link" onClick={onRestart}>
          {t('mfa.back')}
        </button>
      </div>
    </form>
  );
}
