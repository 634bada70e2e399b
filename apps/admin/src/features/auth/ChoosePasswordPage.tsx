import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useI18n } from '../../i18n';
import { LanguageSwitch } from '../../LanguageSwitch';
import { Field } from '../../ui/Field';
import { FormError, fieldErrorsOf } from '../../ui/Notice';
import { readPasswordChange } from './password-change';
import { useChangePassword } from './queries';
import { SESSION_ENDED_FLAG } from './SignInPage';
import { useAuth, useUser } from './session';

/**
 * After a sign-in with a temporary password (a reset, or the first password an admin chose) the server allows
 * nothing but choosing a new one; this screen does that, then signs in again with the new password.
 */
export function ChoosePasswordPage() {
  const { t } = useI18n();
  const user = useUser();
  const { signIn, signOut } = useAuth();
  const change = useChangePassword();
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const errors = fieldErrorsOf(change.error, localErrors);
  const firstRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    document.title = t('choosePassword.title');
    firstRef.current?.focus();
  }, [t]);

  async function backToSignIn() {
    sessionStorage.setItem(SESSION_ENDED_FLAG, 'password');
    await signOut();
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const { body, problems } = readPasswordChange(event.currentTarget, t);
    setLocalErrors(problems);
    if (Object.keys(problems).length > 0) return;
    change.mutate(body, {
      // The change ended every session; sign in again with the new password (two-step accounts go via sign-in).
      onSuccess: async () => {
        try {
          if (await signIn(user.email, body.newPassword)) await backToSignIn();
        } catch {
          await backToSignIn();
        }
      },
    });
  }

  return (
    <div className="signin">
      <header className="signin-lang">
        <LanguageSwitch />
      </header>
      <main className="signin-card" id="main">
        <p className="brand brand-large" aria-hidden="true">
          <span className="brand-mark">A</span> {t('app.name')}
        </p>
        <form onSubmit={submit} noValidate data-testid="choose-password-form">
          <h1>{t('choosePassword.title')}</h1>
          <p>{t('choosePassword.intro')}</p>
          <FormError error={change.error} fields={['currentPassword', 'newPassword']} />
          <Field label={t('choosePassword.current')} error={errors.currentPassword}>
            {(a11y) => (
              <input
                {...a11y}
                ref={firstRef}
                name="currentPassword"
                type="password"
                autoComplete="current-password"
                data-testid="choose-password-current"
              />
            )}
          </Field>
          <Field label={t('account.newPassword')} hint={t('account.newPasswordHint')} error={errors.newPassword}>
            {(a11y) => (
              <input
                {...a11y}
                name="newPassword"
                type="password"
                autoComplete="new-password"
                minLength={10}
                data-testid="choose-password-new"
              />
            )}
          </Field>
          <button
            type="submit"
            className="btn btn-primary btn-block"
            disabled={change.isPending}
            data-testid="choose-password-submit"
          >
            {change.isPending ? t('common.saving') : t('choosePassword.submit')}
          </button>
          <div className="signin-links">
            <button type="button" className="btn-link" onClick={() => void signOut()}>
              {t('nav.signOut')}
            </button>
          </div>
        </form>
      </main>
    </div>
  );
}
