import { ApiError } from '@atrium/web-kit';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useI18n } from '../../i18n';
import { LanguageSwitch } from '../../LanguageSwitch';
import { Field } from '../../ui/Field';
import { Notice } from '../../ui/Notice';
import { useAuth } from './session';

export const SESSION_ENDED_FLAG = 'atrium.admin.sessionEnded';

/** Sign-in with email and password, then (when the account has it) the TOTP or recovery-code step. */
export function SignInPage() {
  const { t } = useI18n();
  const [mfaToken, setMfaToken] = useState<string | null>(null);
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
        {mfaToken ? (
          <MfaStep mfaToken={mfaToken} onRestart={() => setMfaToken(null)} />
        ) : (
          <CredentialsStep ended={ended} onMfa={setMfaToken} />
        )}
      </main>
    </div>
  );
}

function CredentialsStep({ ended, onMfa }: { ended: string | null; onMfa: (token: string) => void }) {
  const { t, errorMessage } = useI18n();
  const { signIn } = useAuth();
  const [error, setError] = useState<unknown>(null);
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
