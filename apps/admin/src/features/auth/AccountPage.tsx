import { type FormEvent, type ReactNode, useState } from 'react';
import { useI18n } from '../../i18n';
import { downloadText } from '../../ui/download';
import { CheckboxField, Field } from '../../ui/Field';
import { FormError, fieldErrorsOf, Notice } from '../../ui/Notice';
import { Page, Section } from '../../ui/Page';
import { LoadError, Loading } from '../../ui/states';
import { useSiteLookup } from '../sites/queries';
import { readPasswordChange } from './password-change';
import {
  svgDataUrl,
  useChangePassword,
  useConfirmTotp,
  useDisableTotp,
  useMe,
  useSetArrivalEmails,
  useStartTotp,
} from './queries';
import { SESSION_ENDED_FLAG } from './SignInPage';
import { useAuth, useUser } from './session';

export function AccountPage() {
  const { t } = useI18n();
  const user = useUser();
  const siteOf = useSiteLookup();
  return (
    <Page title={t('account.title')}>
      <Section title={t('account.roles')} id="account-roles">
        <p>{t('account.signedInAs', { name: user.name, email: user.email })}</p>
        <ul>
          {user.roles.map((grant) => (
            <li key={`${grant.role}-${grant.siteId}`}>
              {grant.role === 'tenant_admin' || !grant.siteId
                ? t(`role.${grant.role}`)
                : t('users.roleAt', {
                    role: t(`role.${grant.role}`),
                    site: siteOf(grant.siteId)?.name ?? t('common.unknownSite'),
                  })}
            </li>
          ))}
        </ul>
      </Section>
      <ArrivalEmails />
      <ChangePassword />
      <TwoStep />
    </Page>
  );
}

/** Whether the user gets an email when their visitor checks in (only where the server can send email). */
function ArrivalEmails() {
  const { t } = useI18n();
  const me = useMe();
  const set = useSetArrivalEmails();
  if (!me.data) return null;
  return (
    <Section title={t('account.notifications')} id="account-notifications">
      {me.data.emailConfigured ? (
        <CheckboxField
          label={t('account.emailOnArrival')}
          checked={set.isPending ? set.variables : me.data.emailOnArrival}
          onChange={(on) => set.mutate(on)}
        />
      ) : (
        <p className="hint">{t('account.emailOff')}</p>
      )}
      {set.error && <FormError error={set.error} fields={[]} />}
    </Section>
  );
}

function ChangePassword() {
  const { t } = useI18n();
  const { signOut } = useAuth();
  const change = useChangePassword();
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const errors = fieldErrorsOf(change.error, localErrors);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const { body, problems } = readPasswordChange(event.currentTarget, t);
    setLocalErrors(problems);
    if (Object.keys(problems).length > 0) return;
    change.mutate(body, {
      // The server ends every session of this account; sign-in with the new password follows.
      onSuccess: () => {
        sessionStorage.setItem(SESSION_ENDED_FLAG, 'password');
        void signOut();
      },
    });
  }

  return (
    <Section title={t('account.password')} id="account-password">
      <form className="form form-narrow" onSubmit={submit} noValidate data-testid="password-form">
        {change.isSuccess && <Notice tone="success">{t('account.passwordDone')}</Notice>}
        <FormError error={change.error} fields={['currentPassword', 'newPassword']} />
        <Field label={t('account.currentPassword')} error={errors.currentPassword}>
          {(a11y) => <input {...a11y} name="currentPassword" type="password" autoComplete="current-password" />}
        </Field>
        <Field label={t('account.newPassword')} hint={t('account.newPasswordHint')} error={errors.newPassword}>
          {(a11y) => <input {...a11y} name="newPassword" type="password" autoComplete="new-password" minLength={10} />}
        </Field>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={change.isPending}>
            {change.isPending ? t('common.saving') : t('account.passwordSubmit')}
          </button>
        </div>
      </form>
    </Section>
  );
}

function TwoStep() {
  const { t } = useI18n();
  const me = useMe();
  const start = useStartTotp();
  const confirm = useConfirmTotp();
  const disable = useDisableTotp();

  let body: ReactNode;
  if (confirm.data) {
    body = <RecoveryCodes codes={confirm.data.recoveryCodes} onDone={() => confirm.reset()} />;
  } else if (me.isPending) {
    body = <Loading />;
  } else if (me.isError) {
    body = <LoadError title={t('account.mfa')} error={me.error} onRetry={() => me.refetch()} />;
  } else if (me.data.mfaEnabled) {
    body = <DisableTotp disable={disable} onDisabled={() => start.reset()} />;
  } else if (start.data) {
    body = (
      <ConfirmTotp
        enrolment={start.data}
        confirm={confirm}
        onRestart={() => {
          confirm.reset();
          start.mutate();
        }}
      />
    );
  } else {
    body = (
      <>
        {disable.isSuccess && <Notice tone="success">{t('account.mfaDisabledOk')}</Notice>}
        <p>{t('account.mfaOff')}</p>
        <FormError error={start.error} fields={[]} />
        <button
          type="button"
          className="btn btn-primary"
          disabled={start.isPending}
          onClick={() => start.mutate()}
          data-testid="totp-start"
        >
          {t('account.mfaStart')}
        </button>
      </>
    );
  }
  return (
    <Section title={t('account.mfa')} id="account-mfa">
      {body}
    </Section>
  );
}

function ConfirmTotp({
  enrolment,
  confirm,
  onRestart,
}: {
  enrolment: { secret: string; qrSvg: string };
  confirm: ReturnType<typeof useConfirmTotp>;
  onRestart: () => void;
}) {
  const { t } = useI18n();
  const [localError, setLocalError] = useState<string | undefined>();
  const errors = fieldErrorsOf(confirm.error);
  const notStarted = (confirm.error as { code?: string } | null)?.code === 'mfa_not_started';
  // A wrong code is one sentence at the field, in the reader's language, not a summary plus the server's words.
  const wrongCode = errors.code !== undefined;

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get('code') ?? '').replace(/\s/g, '');
    if (!/^\d{6}$/.test(code)) {
      setLocalError(t('errors.field.sixDigits'));
      return;
    }
    setLocalError(undefined);
    confirm.mutate(code);
  }

  return (
    <form className="form" onSubmit={submit} noValidate data-testid="totp-form">
      <p>{t('account.mfaScan')}</p>
      <div className="totp-setup">
        <img className="totp-qr" src={svgDataUrl(enrolment.qrSvg)} alt={t('account.mfaQrAlt')} data-testid="totp-qr" />
        <div>
          <p className="label">{t('account.mfaSecret')}</p>
          <p>
            <code className="secret" data-testid="totp-secret">
              {enrolment.secret}
            </code>
          </p>
          {notStarted ? (
            <Notice tone="error" action={<RestartButton onClick={onRestart} />}>
              {confirm.error instanceof Error ? confirm.error.message : ''}
            </Notice>
          ) : (
            !wrongCode && <FormError error={confirm.error} fields={['code']} />
          )}
          <Field label={t('account.mfaCode')} error={localError ?? (wrongCode ? t('account.mfaCodeWrong') : undefined)}>
            {(a11y) => (
              <input
                {...a11y}
                name="code"
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={7}
                className="input-code"
                data-testid="totp-code"
              />
            )}
          </Field>
          <button type="submit" className="btn btn-primary" disabled={confirm.isPending} data-testid="totp-confirm">
            {t('account.mfaConfirm')}
          </button>
        </div>
      </div>
    </form>
  );
}

function RestartButton({ onClick }: { onClick: () => void }) {
  const { t } = useI18n();
  return (
    <button type="button" className="btn btn-secondary" onClick={onClick}>
      {t('common.retry')}
    </button>
  );
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const { t } = useI18n();
  return (
    <div data-testid="recovery-codes">
      <Notice tone="success">{t('account.mfaOn')}</Notice>
      <h3>{t('account.recoveryTitle')}</h3>
      <p>{t('account.recoveryIntro')}</p>
      <ul className="recovery-codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <div className="button-row">
        <button
          type="button"
          className="btn btn-secondary"
          onClick={() => downloadText(`${codes.join('\n')}\n`, 'atrium-recovery-codes.txt')}
        >
          {t('account.recoveryDownload')}
        </button>
        <button type="button" className="btn btn-primary" onClick={onDone} data-testid="recovery-done">
          {t('account.recoveryDone')}
        </button>
      </div>
    </div>
  );
}

function DisableTotp({ disable, onDisabled }: { disable: ReturnType<typeof useDisableTotp>; onDisabled: () => void }) {
  const { t } = useI18n();
  const [localError, setLocalError] = useState<string | undefined>();
  const errors = fieldErrorsOf(disable.error);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get('password') ?? '');
    if (!password) {
      setLocalError(t('errors.field.required'));
      return;
    }
    setLocalError(undefined);
    disable.mutate(password, { onSuccess: onDisabled });
  }

  return (
    <>
      <p>{t('account.mfaOn')}</p>
      <h3>{t('account.mfaDisable')}</h3>
      <form className="form form-narrow" onSubmit={submit} noValidate>
        <FormError error={disable.error} fields={['password']} />
        <Field label={t('account.mfaDisablePassword')} error={localError ?? errors.password}>
          {(a11y) => <input {...a11y} name="password" type="password" autoComplete="current-password" />}
        </Field>
        <button type="submit" className="btn btn-danger" disabled={disable.isPending} data-testid="totp-disable">
          {t('account.mfaDisableSubmit')}
        </button>
      </form>
    </>
  );
}
